/**
 * Spread of one arm across training seeds: the mean metric over all cases for each seed, and the
 * sample SD of those per-seed means. A seed SD as large as an arm difference means that the
 * difference could come from which seeds were run.
 */
import { mean, standardDeviation } from "./summary.ts";

export interface SeedVariation {
  /** Seed value (as text) to the mean metric over that seed's cases. */
  seedMeans: Record<string, number>;
  seeds: number;
  /** Sample SD of the per-seed means; NaN with fewer than 2 seeds. */
  sd: number;
}

/** `valuesBySeed`: seed to the metric of every case that seed evaluated (all folds). */
export function seedVariation(valuesBySeed: ReadonlyMap<string, readonly number[]>): SeedVariation {
  const seedMeans: Record<string, number> = {};
  for (const [seed, values] of valuesBySeed) seedMeans[seed] = mean(values);

  const means = Object.values(seedMeans);
  return { seedMeans, seeds: means.length, sd: standardDeviation(means) };
}
