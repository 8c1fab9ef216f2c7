/**
 * Surface distance metrics: the 95th percentile Hausdorff distance (HD95) and the normalised
 * surface distance (NSD, also called surface Dice) at a tolerance.
 *
 * Surfaces are boundary voxels (`surface.ts`) and each boundary voxel has weight 1. This is not
 * the surfel-area weighting of DeepMind's `surface-distance` package, so NSD values can differ
 * from it slightly on the same masks. Distances are between voxel centres, in mm, exact for
 * anisotropic spacing (`distance-transform.ts`).
 */
import { squaredDistanceTransform } from "./distance-transform.ts";
import {
  assertSameGrid,
  cropToBox,
  foregroundBoundingBox,
  type BinaryMask,
} from "./mask.ts";
import { boundaryVoxels } from "./surface.ts";

/** Distances in mm from each boundary voxel of one mask to the nearest boundary voxel of the other. */
export interface SurfaceDistances {
  /** One entry per reference boundary voxel, in x-fastest voxel order. */
  referenceToPrediction: Float64Array;
  /** One entry per prediction boundary voxel, in x-fastest voxel order. */
  predictionToReference: Float64Array;
}

/**
 * Computes both directed surface distance sets. An empty mask has no boundary voxels, so its
 * own set is empty and the other set is Infinity everywhere.
 *
 * The work runs on the bounding box of both masks: all boundary voxels lie inside it, so the
 * distances are the same as on the full grid.
 */
export function surfaceDistances(reference: BinaryMask, prediction: BinaryMask): SurfaceDistances {
  assertSameGrid(reference, prediction);
  const box = foregroundBoundingBox(reference.shape, [reference.data, prediction.data]);
  if (box === null) {
    return { referenceToPrediction: new Float64Array(0), predictionToReference: new Float64Array(0) };
  }

  const croppedReference = cropToBox(reference.data, reference.shape, box);
  const croppedPrediction = cropToBox(prediction.data, prediction.shape, box);
  const shape = croppedReference.shape;
  const referenceSurface = boundaryVoxels(croppedReference.data, shape);
  const predictionSurface = boundaryVoxels(croppedPrediction.data, shape);

  return {
    referenceToPrediction: distancesToSurface(referenceSurface, predictionSurface, shape, reference.spacing),
    predictionToReference: distancesToSurface(predictionSurface, referenceSurface, shape, reference.spacing),
  };
}

/** Returns the distance in mm from each voxel of `from` to the nearest voxel of `to`. */
function distancesToSurface(
  from: Uint8Array,
  to: Uint8Array,
  shape: [number, number, number],
  spacing: [number, number, number],
): Float64Array {
  const squared = squaredDistanceTransform(to, shape, spacing);
  const distances: number[] = [];
  for (let i = 0; i < from.length; i++) {
    if (from[i] !== 0) distances.push(Math.sqrt(squared[i]));
  }
  return Float64Array.from(distances);
}

/**
 * Returns the q-th percentile (q in [0, 100]) with linear interpolation between the two
 * nearest ranks, the default method of numpy.percentile.
 */
export function percentile(values: Float64Array, q: number): number {
  if (values.length === 0) throw new Error("percentile of an empty set is undefined");
  const sorted = Float64Array.from(values).sort();
  const rank = (q / 100) * (sorted.length - 1);
  const lower = Math.floor(rank);
  const upper = Math.ceil(rank);
  if (lower === upper) return sorted[lower];
  return sorted[lower] + (rank - lower) * (sorted[upper] - sorted[lower]);
}

/**
 * Returns HD95 in mm: the larger of the two directed 95th percentiles, as MONAI's
 * `compute_hausdorff_distance(percentile=95)` defines it (MedPy's `hd95` pools both sets
 * instead). Returns null when either mask is empty, because no distance exists then; see the
 * empty-mask policy in `case-metrics.ts`.
 */
export function hd95(distances: SurfaceDistances): number | null {
  const { referenceToPrediction, predictionToReference } = distances;
  if (referenceToPrediction.length === 0 || predictionToReference.length === 0) return null;
  return Math.max(percentile(referenceToPrediction, 95), percentile(predictionToReference, 95));
}

/**
 * Returns NSD in [0, 1]: the fraction of boundary voxels of both masks that lie within
 * `toleranceMm` (inclusive) of the other mask's boundary. Two empty masks give 1 and one empty
 * mask gives 0.
 */
export function normalizedSurfaceDistance(distances: SurfaceDistances, toleranceMm: number): number {
  if (!(toleranceMm >= 0)) {
    throw new Error(`NSD tolerance must be a number of mm >= 0, got ${toleranceMm}`);
  }
  const { referenceToPrediction, predictionToReference } = distances;
  const total = referenceToPrediction.length + predictionToReference.length;
  if (total === 0) return 1;

  let within = 0;
  for (const d of referenceToPrediction) if (d <= toleranceMm) within++;
  for (const d of predictionToReference) if (d <= toleranceMm) within++;
  return within / total;
}
