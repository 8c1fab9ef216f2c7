/**
 * Validation metric for model selection and the learning curve: tumor Dice on held-out cases.
 */
import type * as tf from "@tensorflow/tfjs";
import { predictLabelVolume } from "../model/predict.ts";
import type { TrainingCase } from "./dataset.ts";

/**
 * Predicts every validation case slice by slice (whole slices, not patches) and returns the
 * mean over cases of the 3D tumor Dice. A case with no tumor in reference and prediction
 * scores 1. Returns NaN when there are no validation cases.
 */
export function validationTumorDice(
  model: tf.LayersModel,
  cases: TrainingCase[],
  tumorClass: number,
  options: { contextSlices: number; sizeMultiple: number; batchSize: number },
): number {
  if (cases.length === 0) return Number.NaN;
  let sum = 0;
  for (const validationCase of cases) {
    const predicted = predictLabelVolume(model, validationCase.image, options);
    sum += tumorDice(predicted, validationCase.label, tumorClass);
  }
  return sum / cases.length;
}

/** Returns the Dice of class `tumorClass` between two label volumes; 1 when both lack it. */
export function tumorDice(predicted: Uint8Array, reference: Uint8Array, tumorClass: number): number {
  let intersection = 0;
  let predictedCount = 0;
  let referenceCount = 0;
  for (let i = 0; i < reference.length; i++) {
    const inPredicted = predicted[i] === tumorClass;
    const inReference = reference[i] === tumorClass;
    if (inPredicted) predictedCount++;
    if (inReference) referenceCount++;
    if (inPredicted && inReference) intersection++;
  }
  const total = predictedCount + referenceCount;
  return total === 0 ? 1 : (2 * intersection) / total;
}
