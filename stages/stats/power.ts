/**
 * Smallest true mean difference that a paired design detects with the given power, from the
 * paired t approximation: delta = (t(1 - alpha/2, n - 1) + t(power, n - 1)) * sd / sqrt(n),
 * where sd is the standard deviation of the paired differences and t the Student t quantile
 * (`@stdlib/stats-base-dists-t-quantile`). It treats the noncentral t as a shifted central t,
 * which is slightly optimistic for small n. Returns NaN for n < 2 or a non-finite sd.
 */
import tQuantile from "@stdlib/stats-base-dists-t-quantile";

export function minimumDetectableDifference(sdDifference: number, n: number, alpha = 0.05, power = 0.8): number {
  if (n < 2 || !Number.isFinite(sdDifference)) return NaN;

  const degreesOfFreedom = n - 1;
  const critical = tQuantile(1 - alpha / 2, degreesOfFreedom) + tQuantile(power, degreesOfFreedom);
  return (critical * sdDifference) / Math.sqrt(n);
}
