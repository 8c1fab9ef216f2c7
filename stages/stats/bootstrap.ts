/**
 * Percentile bootstrap confidence interval of a mean, reproducible through an explicit seed.
 *
 * Each resample draws n values with replacement, uniformly, using the 32-bit Mersenne Twister of
 * `@stdlib/random-base-mt19937` seeded with `seed`. The interval bounds are the alpha/2 and
 * 1 - alpha/2 quantiles of the resampled means, with linear interpolation between order
 * statistics (type 7 of Hyndman and Fan, the default of R's `quantile` and NumPy).
 */
import mt19937 from "@stdlib/random-base-mt19937";
import { quantile } from "./summary.ts";

/** Number of values the 32-bit generator produces: integers in [0, 2^32 - 1]. */
const UINT32_RANGE = 4294967296;

export interface BootstrapOptions {
  /** Number of resamples; the compare stage uses at least 10,000. */
  resamples: number;
  /** Seed of the Mersenne Twister, an integer in [1, 2^32 - 1]; the same seed gives the same interval. */
  seed: number;
  /** Two-sided level: 0.05 gives a 95 % interval. */
  alpha: number;
}

export interface ConfidenceInterval {
  low: number;
  high: number;
  /** Confidence level in [0, 1], for example 0.95. */
  level: number;
  method: "percentile bootstrap";
  resamples: number;
}

/** Returns the percentile bootstrap interval of the mean of `values` (NaN bounds when empty). */
export function bootstrapMeanInterval(values: readonly number[], options: BootstrapOptions): ConfidenceInterval {
  const { resamples, seed, alpha } = options;
  const interval = { level: 1 - alpha, method: "percentile bootstrap" as const, resamples };
  if (values.length === 0) return { low: NaN, high: NaN, ...interval };

  if (!Number.isInteger(seed) || seed < 1 || seed >= UINT32_RANGE) {
    throw new Error(`invalid bootstrap seed ${seed}: use an integer from 1 to ${UINT32_RANGE - 1}`);
  }
  const random = mt19937.factory({ seed });
  const n = values.length;
  const means = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[Math.floor((random() / UINT32_RANGE) * n)];
    means[b] = sum / n;
  }

  const sorted = Array.from(means).sort((a, b) => a - b);
  return { low: quantile(sorted, alpha / 2), high: quantile(sorted, 1 - alpha / 2), ...interval };
}

