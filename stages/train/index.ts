/**
 * The `train` stage: trains a 2D U-Net on one cross-validation fold of the resampled cases with
 * one arm's label maps, and outputs the selected model with its training record.
 *
 * Arms of a granularity ablation differ only in their label set. For the same params, every arm
 * has the same split, patch centres, tumor patch fraction, loss settings and optimizer, and the
 * same initial weights in every layer but the output layer. The weighted_ce class weights are
 * `tumor_weight` for the tumor and 1 for every other class in every arm. NOTE: Dice-type losses average over the foreground
 * classes, so the tumor's share of that term is 1/(K - 1); this is part of multi-class training
 * and is not held fixed.
 *
 * Validation uses the held-out fold of the split (whole axial slices, 3D tumor Dice per case).
 * When evaluate scores the same fold, `selection: best_val_tumor_dice` picks the epoch on the
 * test cases and is optimistic, which is why the default is `last`.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { definePlugin, singleInput } from "../../engine/plugin.ts";
import { initBackend, resolveBackend } from "../model/backend.ts";
import { makeLoss, type LossSettings } from "../model/losses.ts";
import { saveModel } from "../model/model-io.ts";
import { buildUNet } from "../model/unet.ts";
import { checkpointRoot, clearCheckpoints, configDigest } from "./checkpoint.ts";
import { loadCases, readLabelsManifest, type LabelsManifest } from "./dataset.ts";
import { resolveTrainParams, TRAIN_PARAMS_SCHEMA, type TrainParams } from "./params.ts";
import { kFoldSplit } from "./split.ts";
import { trainModel } from "./trainer.ts";

export default definePlugin<TrainParams>({
  name: "train",
  version: "1",
  description: "Train a 2D U-Net on one fold of the cases with one arm's label maps.",
  params: TRAIN_PARAMS_SCHEMA,
  inputs: {
    images: { description: "resample's cases: float32 CT in [0, 1] on the resampled grid" },
    labels: { description: "label-map's labels: uint8 label maps in the arm's classes" },
  },
  outputs: {
    model: { kind: "tfjs-model", description: "model.json + weights.bin of the selected epoch, and training.json" },
  },
  resources: { cpu: 2, gpu: 0, memory_mb: 4096 },

  async runtimeFacts(params) {
    const resolved = await resolveBackend(resolveTrainParams(params).backend);
    return { tfjs_version: resolved.tfjsVersion, backend: resolved.name };
  },

  async run(ctx) {
    const params = resolveTrainParams(ctx.params);
    checkPatchSize(params);
    const backend = await initBackend(params.backend, ctx.log, { threads: ctx.resources.cpu });

    const imagesDir = singleInput(ctx, "images").path;
    const labelsInput = singleInput(ctx, "labels");
    const labels = await readLabelsManifest(labelsInput.path);
    const split = kFoldSplit(labels.cases.map((c) => c.id), params.folds, params.fold, params.split_seed);
    const trainCases = await loadCases(imagesDir, labelsInput.path, labels, split.train);
    const validationCases = await loadCases(imagesDir, labelsInput.path, labels, split.validation);
    ctx.log.info(`fold ${split.fold}/${split.folds}: ${split.train.length} training and ${split.validation.length} validation cases`);

    const model = buildUNet({
      numClasses: labels.classes.length,
      inputChannels: 2 * params.context_slices + 1,
      depth: params.unet.depth,
      baseFilters: params.unet.base_filters,
      batchNorm: params.unet.batch_norm,
      dropout: params.unet.dropout,
      seed: params.seed,
    });

    try {
      const digest = configDigest({
        params,
        images: singleInput(ctx, "images").digest,
        labels: labelsInput.digest,
        backend: backend.name,
      });
      const checkpoints = checkpointRoot(ctx.scratchDir);
      const result = await trainModel({
        params,
        model,
        trainCases,
        validationCases,
        numClasses: labels.classes.length,
        tumorClass: labels.tumor_class,
        loss: makeLoss(params.loss, lossSettings(params, labels)),
        checkpointRoot: checkpoints,
        configDigest: digest,
        signal: ctx.signal,
        log: ctx.log,
        progress: (fraction, message) => ctx.progress(fraction, message),
      });

      await saveModel(model, ctx.outputs.model);
      const record = {
        backend,
        tfjs_version: backend.tfjsVersion,
        classes: labels.classes,
        tumor_class: labels.tumor_class,
        split,
        selection: params.selection,
        selected_epoch: result.selectedEpoch,
        resumed_from_epoch: result.resumedFromEpoch,
        curve: result.curve,
        params,
      };
      await writeFile(join(ctx.outputs.model, "training.json"), JSON.stringify(record, null, 2));
      await clearCheckpoints(checkpoints);

      const last = result.curve[result.curve.length - 1];
      return {
        model: {
          classes: labels.classes.length,
          selected_epoch: result.selectedEpoch,
          val_tumor_dice: last.val_tumor_dice !== null && Number.isFinite(last.val_tumor_dice) ? last.val_tumor_dice : null,
          backend: backend.name,
        },
      };
    } finally {
      model.dispose();
    }
  },
});

/** Maps the loss params to `makeLoss` settings; class weights: tumor `tumor_weight`, others 1. */
function lossSettings(params: TrainParams, labels: LabelsManifest): LossSettings {
  const options = params.loss_options;
  const classWeights = labels.classes.map((_, k) => (k === labels.tumor_class ? options.tumor_weight : 1));
  return {
    classWeights,
    overlap: { smooth: options.dice_smooth, batch: options.dice_batch, includeBackground: options.include_background },
    focalGamma: options.focal_gamma,
    tverskyAlpha: options.tversky_alpha,
    tverskyBeta: options.tversky_beta,
    focalTverskyGamma: options.focal_tversky_gamma,
  };
}

function checkPatchSize(params: TrainParams): void {
  const multiple = 2 ** params.unet.depth;
  if (params.patch_size % multiple !== 0) {
    throw new Error(`train: patch_size ${params.patch_size} is not a multiple of 2^unet.depth = ${multiple}; change patch_size or unet.depth`);
  }
}
