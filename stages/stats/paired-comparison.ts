/**
 * One paired comparison of two arms over the same cases: the per-case differences
 * (treatment minus baseline), their summary, a bootstrap interval of the mean, the Wilcoxon
 * signed-rank test, the rank-biserial effect size and the smallest detectable difference.
 */
import { bootstrapMeanInterval, type ConfidenceInterval } from "./bootstrap.ts";
import { holmAdjust } from "./holm.ts";
import { minimumDetectableDifference } from "./power.ts";
import { rankBiserial } from "./rank-biserial.ts";
import { mean, median, standardDeviation } from "./summary.ts";
import { wilcoxonSignedRank, type WilcoxonResult } from "./wilcoxon.ts";

export interface ComparisonOptions {
  /** Bootstrap resamples of the case-level differences. */
  resamples: number;
  /** Seed of the bootstrap PRNG. */
  seed: number;
  /** Two-sided significance level; the interval has level 1 - alpha. */
  alpha: number;
}

export interface PairedComparison {
  /** Cases present in both arms. */
  n: number;
  /** Case ids in the order of `differences`. */
  cases: string[];
  /** Per-case treatment minus baseline. */
  differences: number[];
  meanDifference: number;
  medianDifference: number;
  /** Sample SD of the differences. */
  sdDifference: number;
  interval: ConfidenceInterval;
  wilcoxon: WilcoxonResult;
  /** Matched-pairs rank-biserial correlation in [-1, 1]. */
  rankBiserial: number;
  /** Smallest mean difference detectable at 80 % power and `alpha`, paired t approximation. */
  minimumDetectable: number;
  /** Holm-adjusted p-value within its table; set by `adjustTable`. */
  pHolm: number;
  /** Holm-adjusted p below alpha and an interval that excludes 0; set by `adjustTable`. */
  significant: boolean;
}

/** Pairs `treatment` and `baseline` (case id to value) by case and compares them. */
export function comparePaired(
  treatment: ReadonlyMap<string, number>,
  baseline: ReadonlyMap<string, number>,
  options: ComparisonOptions,
): PairedComparison {
  const cases = [...treatment.keys()].filter((id) => baseline.has(id)).sort();
  const differences = cases.map((id) => treatment.get(id)! - baseline.get(id)!);
  const sdDifference = standardDeviation(differences);

  return {
    n: cases.length,
    cases,
    differences,
    meanDifference: mean(differences),
    medianDifference: median(differences),
    sdDifference,
    interval: bootstrapMeanInterval(differences, options),
    wilcoxon: wilcoxonSignedRank(differences),
    rankBiserial: rankBiserial(differences),
    minimumDetectable: minimumDetectableDifference(sdDifference, cases.length, options.alpha),
    pHolm: NaN,
    significant: false,
  };
}

/**
 * Sets `pHolm` and `significant` on every comparison of one table (one family for Holm).
 * A comparison counts as significant only when both the adjusted p-value is below `alpha` and
 * the bootstrap interval excludes 0, so that the verdict never contradicts either number.
 */
export function adjustTable(comparisons: PairedComparison[], alpha: number): void {
  const adjusted = holmAdjust(comparisons.map((c) => c.wilcoxon.pValue));
  comparisons.forEach((comparison, i) => {
    comparison.pHolm = adjusted[i];
    const excludesZero = comparison.interval.low > 0 || comparison.interval.high < 0;
    comparison.significant = adjusted[i] < alpha && excludesZero;
  });
}
