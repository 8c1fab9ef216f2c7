/** Segmentation, prediction file and tumour metrics of one case. */
import { computeCaseMetrics } from "../metrics/case-metrics.ts";
import { readNifti, writeNifti } from "../volume/nifti.ts";
import type { Volume } from "../volume/volume.ts";
import type { CaseResult } from "./metrics-files.ts";
import { tumorMaskOnGrid } from "./original-grid.ts";
import { segmentVolume, type SliceModel, type SlidingWindowOptions } from "./sliding-window.ts";

export interface CaseEvaluation {
  id: string;
  /** Resampled image (model grid). */
  imagePath: string;
  /** Source label map on the original grid. */
  referencePath: string;
  /** Value of the tumour in the source label map. */
  referenceTumorValue: number;
  /** Output path of the predicted classes (NIfTI, model grid). */
  predictionPath: string;
}

export interface EvaluationSettings {
  model: SliceModel;
  /** Index of the tumour in the model's classes. */
  tumorClass: number;
  window: SlidingWindowOptions;
  nsdToleranceMm: number;
}

/**
 * Segments the resampled image, writes the predicted classes as uint8 NIfTI on the model grid,
 * maps the tumour back to the reference grid (`tumorMaskOnGrid`) and computes the metrics there.
 */
export async function evaluateCase(item: CaseEvaluation, settings: EvaluationSettings): Promise<CaseResult> {
  const image = await readNifti(item.imagePath);
  const imageData = image.data instanceof Float32Array ? image.data : Float32Array.from(image.data);
  const labels = await segmentVolume(settings.model, { ...image, data: imageData }, settings.window);

  const prediction: Volume<Uint8Array> = {
    data: labels,
    shape: image.shape,
    spacing: image.spacing,
    affine: image.affine,
    xformCodes: image.xformCodes,
  };
  await writeNifti(item.predictionPath, prediction, { datatype: "uint8" });

  const reference = await readNifti(item.referencePath);
  const referenceMask = new Uint8Array(reference.data.length);
  for (let i = 0; i < referenceMask.length; i++) {
    referenceMask[i] = reference.data[i] === item.referenceTumorValue ? 1 : 0;
  }
  const predictedMask = tumorMaskOnGrid(prediction, settings.tumorClass, reference.shape, reference.affine);

  const metrics = computeCaseMetrics(
    { data: referenceMask, shape: reference.shape, spacing: reference.spacing },
    { data: predictedMask, shape: reference.shape, spacing: reference.spacing },
    settings.nsdToleranceMm,
  );
  return { id: item.id, ...metrics };
}
