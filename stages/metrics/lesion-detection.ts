/**
 * Lesion-wise detection: precision, recall and F1 over 3D connected components.
 *
 * Lesions are 26-connected components, so two voxels that touch only at an edge or a corner
 * belong to one lesion. That keeps a thin or obliquely oriented tumour, or one whose mask was
 * resampled with nearest neighbour, in one piece instead of counting its fragments as lesions.
 *
 * Matching rule: a reference lesion and a predicted lesion can match only if they share at least
 * one voxel. Matching is one-to-one and greedy: candidate pairs are taken in order of descending
 * intersection over union (IoU), ties broken by lower reference label, then lower predicted
 * label, and a pair is kept when neither lesion is matched yet. So a predicted lesion that covers
 * two reference lesions detects only one of them, and a split prediction counts its extra parts
 * as false positives.
 * NOTE: greedy matching can keep fewer pairs than an optimal (Hungarian) assignment when one
 * lesion overlaps several; that needs three or more mutually overlapping lesions.
 */
import { labelComponents, type Components, type Connectivity } from "./connected-components.ts";
import { assertSameGrid, type BinaryMask } from "./mask.ts";

export interface LesionDetection {
  reference_lesions: number;
  predicted_lesions: number;
  /** Matched pairs: true positives. */
  matched_lesions: number;
  /** matched / predicted; null when there is no predicted lesion (and some reference lesion). */
  precision: number | null;
  /** matched / reference; null when there is no reference lesion (and some predicted lesion). */
  recall: number | null;
  /** 2 matched / (reference + predicted); 1 when both have no lesion. */
  f1: number;
}

/** The connectivity that defines a lesion; see the file header for the reason. */
export const LESION_CONNECTIVITY: Connectivity = 26;

/**
 * Labels lesions in both masks, matches them one to one and returns the counts and rates.
 * Both masks without lesions give precision, recall and F1 of 1 (nothing to find, nothing
 * falsely found).
 */
export function detectLesions(reference: BinaryMask, prediction: BinaryMask): LesionDetection {
  assertSameGrid(reference, prediction);
  const referenceLesions = labelComponents(reference.data, reference.shape, LESION_CONNECTIVITY);
  const predictedLesions = labelComponents(prediction.data, prediction.shape, LESION_CONNECTIVITY);
  const matched = countGreedyMatches(referenceLesions, predictedLesions);

  const r = referenceLesions.count;
  const p = predictedLesions.count;
  if (r === 0 && p === 0) {
    return { reference_lesions: 0, predicted_lesions: 0, matched_lesions: 0, precision: 1, recall: 1, f1: 1 };
  }
  return {
    reference_lesions: r,
    predicted_lesions: p,
    matched_lesions: matched,
    precision: p === 0 ? null : matched / p,
    recall: r === 0 ? null : matched / r,
    f1: (2 * matched) / (r + p),
  };
}

interface CandidatePair {
  reference: number;
  predicted: number;
  iou: number;
}

function countGreedyMatches(
  reference: Components,
  predicted: Components,
): number {
  const pairs = overlappingPairs(reference, predicted);
  pairs.sort((a, b) => b.iou - a.iou || a.reference - b.reference || a.predicted - b.predicted);

  const referenceTaken = new Uint8Array(reference.count + 1);
  const predictedTaken = new Uint8Array(predicted.count + 1);
  let matched = 0;
  for (const pair of pairs) {
    if (referenceTaken[pair.reference] || predictedTaken[pair.predicted]) continue;
    referenceTaken[pair.reference] = 1;
    predictedTaken[pair.predicted] = 1;
    matched++;
  }
  return matched;
}

/** Returns every (reference, predicted) lesion pair that shares voxels, with its IoU. */
function overlappingPairs(
  reference: Components,
  predicted: Components,
): CandidatePair[] {
  const intersections = new Map<number, number>();
  const stride = predicted.count + 1;
  for (let i = 0; i < reference.labels.length; i++) {
    const r = reference.labels[i];
    const p = predicted.labels[i];
    if (r === 0 || p === 0) continue;
    const key = r * stride + p;
    intersections.set(key, (intersections.get(key) ?? 0) + 1);
  }

  const pairs: CandidatePair[] = [];
  for (const [key, intersection] of intersections) {
    const r = Math.floor(key / stride);
    const p = key % stride;
    const union = reference.sizes[r] + predicted.sizes[p] - intersection;
    pairs.push({ reference: r, predicted: p, iou: intersection / union });
  }
  return pairs;
}
