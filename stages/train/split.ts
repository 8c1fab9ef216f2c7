/**
 * K-fold cross-validation split by case.
 *
 * The split depends only on the sorted case ids, the fold count and `splitSeed`, never on labels,
 * loss or label granularity, so every arm of an ablation trains and validates on the same cases.
 */
import { Rng } from "./rng.ts";

export interface CaseSplit {
  fold: number;
  folds: number;
  splitSeed: number;
  /** Training case ids, sorted. */
  train: string[];
  /** Validation case ids (the held-out fold), sorted. */
  validation: string[];
}

/**
 * Shuffles the sorted case ids with `splitSeed` and deals them round-robin into `folds` folds.
 * Fold `fold` is the validation set and the rest the training set. Fold sizes differ by at most 1.
 */
export function kFoldSplit(caseIds: string[], folds: number, fold: number, splitSeed: number): CaseSplit {
  const ids = [...new Set(caseIds)].sort();
  if (ids.length !== caseIds.length) {
    throw new Error(`kFoldSplit: case ids must be unique, got ${caseIds.length} ids of which ${ids.length} distinct`);
  }
  if (!Number.isInteger(folds) || folds < 2 || folds > ids.length) {
    throw new Error(`kFoldSplit: folds must be an integer from 2 to the case count ${ids.length}, got ${folds}`);
  }
  if (!Number.isInteger(fold) || fold < 0 || fold >= folds) {
    throw new Error(`kFoldSplit: fold must be an integer from 0 to ${folds - 1}, got ${fold}`);
  }

  const shuffled = new Rng(splitSeed).shuffle([...ids]);
  const validation = shuffled.filter((_, i) => i % folds === fold).sort();
  const held = new Set(validation);
  const train = ids.filter((id) => !held.has(id));
  return { fold, folds, splitSeed, train, validation };
}
