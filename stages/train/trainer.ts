/**
 * The training loop: seeded patch batches, Adam steps, per-epoch validation, checkpoints and
 * resume, model selection.
 */
import * as tf from "@tensorflow/tfjs";
import { marginalizeUnannotated, type LossFunction } from "../model/losses.ts";
import {
  restoreLatestCheckpoint,
  saveCheckpoint,
  type EpochRecord,
  type TrainingState,
} from "./checkpoint.ts";
import type { TrainingCase } from "./dataset.ts";
import type { TrainParams } from "./params.ts";
import { assembleBatch, isTumorPatch, samplePatchCentre, type PatchBatch } from "./patches.ts";
import { Rng } from "./rng.ts";
import { validationTumorDice } from "./validate.ts";

export interface TrainerSetup {
  params: TrainParams;
  model: tf.LayersModel;
  trainCases: TrainingCase[];
  validationCases: TrainingCase[];
  numClasses: number;
  tumorClass: number;
  loss: LossFunction;
  checkpointRoot: string;
  configDigest: string;
  signal: AbortSignal;
  log: { info(message: string): void; warn(message: string): void };
  progress(fraction: number, message?: string): void;
}

export interface TrainingResult {
  curve: EpochRecord[];
  /** Epoch (1-based) whose weights are in `model` at the end. */
  selectedEpoch: number;
  /** Epoch the run resumed after, or 0 for a fresh start. */
  resumedFromEpoch: number;
}

/**
 * Trains `setup.model` in place for `params.epochs` epochs, resuming from the latest checkpoint
 * of the same config when there is one, and leaves the selected epoch's weights in the model.
 * Throws the signal's reason when aborted; the last checkpoint stays on disk.
 */
export async function trainModel(setup: TrainerSetup): Promise<TrainingResult> {
  const { params, model } = setup;
  const optimizer = tf.train.adam(params.learning_rate);
  try {
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const resumed = await restoreLatestCheckpoint(setup.checkpointRoot, setup.configDigest, model, optimizer, setup.log);
    const state: TrainingState = resumed?.state ?? {
      epoch: 0,
      rngState: new Rng(params.seed).getState(),
      curve: [],
      best: null,
      configDigest: setup.configDigest,
    };
    let bestWeights = resumed?.bestWeights ?? null;
    const resumedFromEpoch = state.epoch;
    const rng = Rng.fromState(state.rngState);

    for (let epoch = state.epoch + 1; epoch <= params.epochs; epoch++) {
      const trainLoss = await runEpoch(setup, optimizer, variables, rng, epoch);

      // Whole-volume validation costs more than an epoch of patches, so it runs every
      // `validate_every` epochs and always after the last one.
      const validates = epoch % params.validate_every === 0 || epoch === params.epochs;
      const dice = validates
        ? validationTumorDice(model, setup.validationCases, setup.tumorClass, {
            contextSlices: params.context_slices,
            sizeMultiple: 2 ** params.unet.depth,
            batchSize: params.batch_size,
          })
        : null;
      state.curve.push({ epoch, train_loss: trainLoss, val_tumor_dice: dice });
      const diceText = dice === null ? "not validated this epoch" : `validation tumor Dice ${dice.toFixed(4)}`;
      setup.log.info(`epoch ${epoch}/${params.epochs}: train loss ${trainLoss.toFixed(4)}, ${diceText}`);

      if (params.selection === "best_val_tumor_dice" && dice !== null && (state.best === null || dice > state.best.val_tumor_dice)) {
        state.best = { epoch, val_tumor_dice: dice };
        bestWeights = model.getWeights().map((w) => w.dataSync().slice() as Float32Array);
      }

      state.epoch = epoch;
      state.rngState = rng.getState();
      if (epoch % params.checkpoint_every === 0 || epoch === params.epochs) {
        await saveCheckpoint(setup.checkpointRoot, model, optimizer, state, bestWeights);
      }
      setup.progress(epoch / params.epochs, `epoch ${epoch}/${params.epochs} done`);
    }

    let selectedEpoch = params.epochs;
    if (params.selection === "best_val_tumor_dice" && state.best && bestWeights) {
      const tensors = model.getWeights().map((w, i) => tf.tensor(bestWeights![i], w.shape, w.dtype));
      model.setWeights(tensors);
      tf.dispose(tensors);
      selectedEpoch = state.best.epoch;
    }
    return { curve: state.curve, selectedEpoch, resumedFromEpoch };
  } finally {
    optimizer.dispose();
  }
}

async function runEpoch(
  setup: TrainerSetup,
  optimizer: tf.Optimizer,
  variables: tf.Variable[],
  rng: Rng,
  epoch: number,
): Promise<number> {
  const { params } = setup;
  let lossSum = 0;
  for (let step = 0; step < params.steps_per_epoch; step++) {
    throwIfAborted(setup.signal);
    const firstPatch = ((epoch - 1) * params.steps_per_epoch + step) * params.batch_size;
    const centres = [];
    for (let b = 0; b < params.batch_size; b++) {
      const tumor = isTumorPatch(firstPatch + b, params.tumor_patch_fraction);
      centres.push(samplePatchCentre(rng, setup.trainCases, tumor));
    }
    const batch = assembleBatch(setup.trainCases, centres, params.patch_size, params.context_slices);
    lossSum += trainStep(setup, optimizer, variables, batch);

    const done = (epoch - 1) * params.steps_per_epoch + step + 1;
    setup.progress(done / (params.epochs * params.steps_per_epoch), `epoch ${epoch}/${params.epochs} step ${step + 1}/${params.steps_per_epoch}`);
    // Yield to the event loop so that an abort signal can arrive between steps.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return lossSum / params.steps_per_epoch;
}

/** Runs one Adam step on `batch` and returns the loss before the update. */
function trainStep(setup: TrainerSetup, optimizer: tf.Optimizer, variables: tf.Variable[], batch: PatchBatch): number {
  const { params, numClasses } = setup;
  const size = params.patch_size;
  const batchSize = batch.caseIndices.length;
  const channels = 2 * params.context_slices + 1;
  const unannotated = new Float32Array(batchSize * numClasses);
  batch.caseIndices.forEach((caseIndex, b) => {
    for (const k of setup.trainCases[caseIndex].unannotated) unannotated[b * numClasses + k] = 1;
  });

  const cost = tf.tidy((): tf.Scalar => {
    const images = tf.tensor4d(batch.images, [batchSize, size, size, channels]);
    const yTrue = tf.oneHot(tf.tensor3d(batch.labels, [batchSize, size, size], "int32"), numClasses).toFloat() as tf.Tensor4D;
    const mask = tf.tensor2d(unannotated, [batchSize, numClasses]);
    return optimizer.minimize(() => {
      let yPred = setup.model.apply(images, { training: true }) as tf.Tensor4D;
      if (params.loss_options.marginal) yPred = marginalizeUnannotated(yTrue, yPred, mask);
      return setup.loss(yTrue, yPred);
    }, true, variables) as tf.Scalar;
  });
  const value = cost.dataSync()[0];
  cost.dispose();
  if (!Number.isFinite(value)) {
    throw new Error(`training loss is ${value}; lower learning_rate (now ${params.learning_rate}) or check the input intensities`);
  }
  return value;
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason ?? new Error("training aborted");
}
