/**
 * Matched-pairs rank-biserial correlation (Kerby 2014, "The simple difference formula"):
 * r = (R+ - R-) / (R+ + R-), where R+ and R- are the sums of the ranks of |d| for the positive
 * and negative differences. Zero differences are dropped, as in the Wilcoxon test here, and ties
 * get average ranks. r lies in [-1, 1]; +1 means every non-zero difference is positive.
 * Returns NaN when no difference is non-zero.
 */
import { averageRanks } from "./ranks.ts";

export function rankBiserial(differences: readonly number[]): number {
  const nonZero = differences.filter((d) => d !== 0);
  if (nonZero.length === 0) return NaN;

  const ranks = averageRanks(nonZero.map((d) => Math.abs(d)));
  let positive = 0;
  let negative = 0;
  nonZero.forEach((d, i) => {
    if (d > 0) positive += ranks[i];
    else negative += ranks[i];
  });
  return (positive - negative) / (positive + negative);
}
