/**
 * All tumour metrics of one case, and the policy for empty masks.
 *
 * Empty-mask policy, following the principle that a metric's value must not depend on an
 * arbitrary choice such as the field of view:
 * - Reference and prediction both empty: Dice 1, NSD 1, HD95 0 mm, lesion precision, recall and
 *   F1 1, volume error 0 mL. The prediction is correct, so each metric takes its best value.
 * - Exactly one empty: Dice 0, NSD 0, lesion F1 0. These bounded metrics have a natural worst
 *   value. HD95 is null, because no surface distance exists and any finite substitute (such as
 *   the image diagonal) would depend on the field of view and dominate a mean. The `empty`
 *   field names the empty mask, so a report can count these cases apart instead of
 *   averaging a made-up number. Lesion recall is null without reference lesions and lesion
 *   precision is null without predicted lesions, because their denominators are 0.
 */
import { dice } from "./dice.ts";
import { detectLesions, LESION_CONNECTIVITY } from "./lesion-detection.ts";
import { assertSameGrid, countForeground, voxelVolumeMl, type BinaryMask } from "./mask.ts";
import { hd95, normalizedSurfaceDistance, surfaceDistances } from "./surface-distance.ts";

/** The mask or masks without a foreground voxel. */
export type EmptyMasks = "none" | "reference" | "prediction" | "both";

/** Metrics of one case; field names are those of `metrics.json`. */
export interface CaseMetrics {
  dice: number;
  /** HD95 in mm; null when exactly one mask is empty. */
  hd95_mm: number | null;
  nsd: number;
  nsd_tolerance_mm: number;
  lesion_precision: number | null;
  lesion_recall: number | null;
  lesion_f1: number;
  reference_lesions: number;
  predicted_lesions: number;
  matched_lesions: number;
  /** |predicted_ml - reference_ml|. */
  volume_error_ml: number;
  reference_ml: number;
  predicted_ml: number;
  empty: EmptyMasks;
}

/** The empty-mask policy and the definitions, as stored in `metrics.json`. */
export const METRICS_POLICY =
  "Surfaces are boundary voxels (a mask voxel with a 6-neighbour outside the mask), weighted " +
  "equally; distances are exact Euclidean distances in mm between voxel centres. HD95 is the " +
  "larger of the two directed 95th percentiles (linear interpolation). NSD counts boundary " +
  "voxels of both masks within the tolerance (inclusive) of the other boundary. Lesions are " +
  `${LESION_CONNECTIVITY}-connected components, matched one to one by greedy descending IoU; a match ` +
  "needs at least one shared voxel. Both masks empty: Dice 1, NSD 1, HD95 0, lesion precision, " +
  "recall and F1 1. One mask empty: Dice 0, NSD 0, lesion F1 0, HD95 null (no distance exists " +
  "and a substitute would depend on the field of view), lesion recall null without reference " +
  "lesions, lesion precision null without predicted lesions; the field `empty` names the empty mask.";

/**
 * Computes every metric of one case on one grid.
 *
 * @param nsdToleranceMm NSD tolerance in mm.
 */
export function computeCaseMetrics(
  reference: BinaryMask,
  prediction: BinaryMask,
  nsdToleranceMm: number,
): CaseMetrics {
  assertSameGrid(reference, prediction);
  const voxelMl = voxelVolumeMl(reference.spacing);
  const referenceMl = countForeground(reference.data) * voxelMl;
  const predictedMl = countForeground(prediction.data) * voxelMl;
  const empty = emptyMasks(referenceMl === 0, predictedMl === 0);

  const distances = surfaceDistances(reference, prediction);
  const lesions = detectLesions(reference, prediction);

  return {
    dice: dice(reference, prediction),
    hd95_mm: empty === "both" ? 0 : hd95(distances),
    nsd: normalizedSurfaceDistance(distances, nsdToleranceMm),
    nsd_tolerance_mm: nsdToleranceMm,
    lesion_precision: lesions.precision,
    lesion_recall: lesions.recall,
    lesion_f1: lesions.f1,
    reference_lesions: lesions.reference_lesions,
    predicted_lesions: lesions.predicted_lesions,
    matched_lesions: lesions.matched_lesions,
    volume_error_ml: Math.abs(predictedMl - referenceMl),
    reference_ml: referenceMl,
    predicted_ml: predictedMl,
    empty,
  };
}

function emptyMasks(referenceEmpty: boolean, predictionEmpty: boolean): EmptyMasks {
  if (referenceEmpty && predictionEmpty) return "both";
  if (referenceEmpty) return "reference";
  if (predictionEmpty) return "prediction";
  return "none";
}
