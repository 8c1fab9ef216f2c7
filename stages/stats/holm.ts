/**
 * Holm step-down adjustment of p-values for the comparisons of one table, through
 * `@stdlib/stats-padjust` 0.2.1. Adjusted values keep the input order and are capped at 1.
 * NaN entries (comparisons without a test) are left out of the family and stay NaN.
 */
import padjust from "@stdlib/stats-padjust";

export function holmAdjust(pValues: readonly number[]): number[] {
  const tested = pValues.map((p, i) => ({ p, i })).filter(({ p }) => Number.isFinite(p));
  const adjusted = pValues.map(() => NaN);
  if (tested.length === 0) return adjusted;

  const values = padjust(tested.map(({ p }) => p), "holm");
  tested.forEach(({ i }, k) => {
    adjusted[i] = Math.min(1, values[k]);
  });
  return adjusted;
}
