/** The Dice similarity coefficient of two binary masks. */
import { assertSameGrid, type BinaryMask } from "./mask.ts";

/**
 * Returns 2 |R ∩ P| / (|R| + |P|) in [0, 1]. Two empty masks give 1 (the empty-mask policy in
 * `case-metrics.ts`), because the prediction then agrees with the reference everywhere.
 */
export function dice(reference: BinaryMask, prediction: BinaryMask): number {
  assertSameGrid(reference, prediction);

  let referenceCount = 0;
  let predictionCount = 0;
  let intersection = 0;
  const r = reference.data;
  const p = prediction.data;
  for (let i = 0; i < r.length; i++) {
    const inReference = r[i] !== 0;
    const inPrediction = p[i] !== 0;
    if (inReference) referenceCount++;
    if (inPrediction) predictionCount++;
    if (inReference && inPrediction) intersection++;
  }

  const total = referenceCount + predictionCount;
  return total === 0 ? 1 : (2 * intersection) / total;
}
