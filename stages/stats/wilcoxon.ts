/**
 * Wilcoxon signed-rank test on paired differences, through `@stdlib/stats-wilcoxon` 0.2.3.
 *
 * That library uses the exact null distribution when there are at most 50 non-zero differences
 * and no ties among their absolute values, and otherwise the normal approximation with the tie
 * correction of the variance. Zero differences are dropped first ("wilcox" zero method).
 * The continuity correction is on, as in R's `wilcox.test` default; with it the normal branch
 * equals `scipy.stats.wilcoxon(d, correction=True, method="asymptotic")`.
 */
import wilcoxon from "@stdlib/stats-wilcoxon";

export interface WilcoxonResult {
  /** Sum of the ranks of the positive differences (V in R, T+ in most texts). */
  statistic: number;
  /** Two-sided p-value; 1 when every difference is zero, NaN with fewer than 2 differences. */
  pValue: number;
  /** Method behind the p-value. */
  method: "exact" | "normal approximation" | "all differences zero" | "too few cases";
  /** Differences left after dropping zeros. */
  nonZero: number;
}

/** Largest number of non-zero differences for which `@stdlib/stats-wilcoxon` uses the exact test. */
const EXACT_MAX_N = 50;

/** Runs the two-sided Wilcoxon signed-rank test of `differences` against a median of 0. */
export function wilcoxonSignedRank(differences: readonly number[]): WilcoxonResult {
  const nonZero = differences.filter((d) => d !== 0);

  if (differences.length < 2) {
    return { statistic: NaN, pValue: NaN, method: "too few cases", nonZero: nonZero.length };
  }
  if (nonZero.length === 0) {
    return { statistic: 0, pValue: 1, method: "all differences zero", nonZero: 0 };
  }

  const result = wilcoxon([...differences], { alternative: "two-sided", correction: true, zeroMethod: "wilcox" });

  // The library doubles the smaller tail of the exact distribution without a cap, which gives
  // p-values above 1 when the statistic sits at the centre of the distribution.
  const pValue = Math.min(1, result.pValue);
  return { statistic: result.statistic, pValue, method: exactApplies(differences) ? "exact" : "normal approximation", nonZero: nonZero.length };
}

/** Mirrors the library's choice: exact unless zeros, tied absolute values or more than 50 pairs. */
function exactApplies(differences: readonly number[]): boolean {
  if (differences.some((d) => d === 0)) return false;
  if (differences.length > EXACT_MAX_N) return false;

  const absolute = new Set(differences.map((d) => Math.abs(d)));
  return absolute.size === differences.length;
}
