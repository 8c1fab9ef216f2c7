/**
 * The evaluate stage: sliding-window inference of a trained U-Net on the resampled images and
 * tumour metrics against the original-grid reference labels.
 *
 * Predictions are written on the resampled (model) grid. For the metrics, the predicted tumour
 * is mapped back to each case's original grid (`original-grid.ts`) and compared with the source
 * label named "tumor", so every arm of an ablation is scored against the same reference voxels
 * whatever its classes.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { definePlugin, singleInput, type StageContext } from "../../engine/plugin.ts";
import { METRICS_POLICY } from "../metrics/case-metrics.ts";
import { initBackend, resolveBackend } from "../model/backend.ts";
import { loadModel } from "../model/model-io.ts";
import { labelValue, readCaseList, type CaseEntry } from "./case-list.ts";
import { evaluateCase } from "./evaluate-case.ts";
import { writeMetricsFiles, type CaseResult } from "./metrics-files.ts";
import { EVALUATE_PARAMS_SCHEMA, type EvaluateParams } from "./params.ts";
import { readTrainingRecord, type TrainingRecord } from "./training-record.ts";

/** Name of the source label that is the tumour in ingest's `cases.json`. */
const TUMOR_LABEL = "tumor";

const MAPPING =
  "Predicted classes are the argmax of the blended softmax on the resampled grid. The tumour " +
  "indicator is resampled to the original grid with linear interpolation and thresholded at 0.5.";

export default definePlugin<EvaluateParams>({
  name: "evaluate",
  version: "1",
  description: "Segments held-out cases with a trained model and scores the tumour on the original grid.",
  params: EVALUATE_PARAMS_SCHEMA,
  inputs: {
    model: { description: "Trained model (train output `model`)." },
    images: { description: "Resampled cases (resample output `cases`)." },
    reference: { description: "Original-grid cases with source labels (ingest output `cases`)." },
  },
  outputs: {
    metrics: { description: "Per-case tumour metrics and predicted label maps.", kind: "tumor-metrics" },
  },
  resources: { cpu: 2, gpu: 0, memory_mb: 4096 },

  async runtimeFacts(params) {
    const backend = await resolveBackend(params.backend);
    return { tfjs_version: backend.tfjsVersion, backend: backend.name };
  },

  async run(ctx) {
    const modelDir = singleInput(ctx, "model").path;
    const training = await readTrainingRecord(modelDir);
    const images = await readCaseList(singleInput(ctx, "images").path);
    const reference = await readCaseList(singleInput(ctx, "reference").path);
    const referenceTumorValue = labelValue(reference, TUMOR_LABEL, `${ctx.taskId}: reference`);
    const selected = selectCases(ctx, training, images.cases);
    const tileSize = resolveTileSize(ctx, training);

    await initBackend(ctx.params.backend, ctx.log, { threads: ctx.resources.cpu });
    const model = await loadModel(modelDir);
    const outputDir = ctx.outputs.metrics;
    await mkdir(join(outputDir, "predictions"), { recursive: true });

    const results: CaseResult[] = [];
    try {
      for (const [index, entry] of selected.entries()) {
        ctx.log.info(`evaluating ${entry.id} (${index + 1}/${selected.length})`);
        const referenceEntry = findCase(ctx, reference.cases, entry.id, "reference");
        const result = await evaluateCase(
          {
            id: entry.id,
            imagePath: entry.image,
            referencePath: referenceEntry.label,
            referenceTumorValue,
            predictionPath: join(outputDir, "predictions", `${entry.id}.nii.gz`),
          },
          {
            model,
            tumorClass: training.tumorClass,
            window: {
              patchSize: tileSize,
              contextSlices: training.contextSlices,
              overlap: ctx.params.overlap,
              blending: ctx.params.blending,
              batchSize: ctx.params.batch_size,
              // The resample stage maps the intensity window to [0, 1], so 0 is the lower bound
              // (air). Training windows are padded with 0 as well.
              padValue: 0,
              signal: ctx.signal,
              onProgress: (fraction) => ctx.progress((index + fraction) / selected.length, entry.id),
            },
            nsdToleranceMm: ctx.params.nsd_tolerance_mm,
          },
        );
        results.push(result);
      }
    } finally {
      model.dispose();
    }

    await writeMetricsFiles(outputDir, {
      cell: ctx.cell,
      classes: training.classes,
      tumor_class: training.tumorClass,
      case_selection: ctx.params.cases,
      fold: training.fold,
      policy: METRICS_POLICY,
      mapping: MAPPING,
      cases: results,
    });
    return { metrics: summarize(results) };
  },
});

/** Returns the inference tile size: the param, or the training patch size when it is null. */
function resolveTileSize(ctx: StageContext<EvaluateParams>, training: TrainingRecord): number {
  const tileSize = ctx.params.tile_size ?? training.patchSize;
  const multiple = training.unetDepth === null ? 1 : 2 ** training.unetDepth;
  if (tileSize % multiple !== 0) {
    throw new Error(
      `${ctx.taskId}: tile_size ${tileSize} is not a multiple of 2^unet.depth = ${multiple}; ` +
        `choose a multiple of ${multiple}, or null for the training patch size ${training.patchSize}`,
    );
  }
  return tileSize;
}

/** Returns the cases of `images` to evaluate, in the order of `images`. */
function selectCases(ctx: StageContext<EvaluateParams>, training: TrainingRecord, cases: CaseEntry[]): CaseEntry[] {
  if (ctx.params.cases === "all") return cases;

  const missing = training.validation.filter((id) => !cases.some((entry) => entry.id === id));
  if (missing.length > 0) {
    throw new Error(
      `${ctx.taskId}: validation cases ${missing.join(", ")} of the model's split are not in the images input; ` +
        `connect the resample output that the model was trained from`,
    );
  }
  const validation = new Set(training.validation);
  return cases.filter((entry) => validation.has(entry.id));
}

function findCase(ctx: StageContext<EvaluateParams>, cases: CaseEntry[], id: string, input: string): CaseEntry {
  const entry = cases.find((candidate) => candidate.id === id);
  if (!entry) {
    throw new Error(`${ctx.taskId}: case ${id} is missing from the ${input} input; connect the ingest output of the same dataset`);
  }
  return entry;
}

/** Summary for `artifact.json`: case count and mean Dice and NSD (null without cases). */
function summarize(results: CaseResult[]): Record<string, number | null> {
  const mean = (values: number[]) => (values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length);
  return {
    cases: results.length,
    mean_dice: mean(results.map((r) => r.dice)),
    mean_nsd: mean(results.map((r) => r.nsd)),
  };
}
