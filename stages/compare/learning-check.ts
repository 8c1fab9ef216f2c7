/**
 * A check that the compared models learned the task at all: when no arm reaches a minimal tumor
 * Dice, every arm is near zero and differences between them answer nothing.
 */
import { mean } from "../stats/summary.ts";
import { caseMeans, groupLabel, type GroupedMetrics } from "./arm-groups.ts";

/**
 * Mean tumor Dice below which a model is taken not to have learned the tumor. 0.1 is this
 * project's choice: far below any published lung-tumor result, far above chance overlap.
 */
export const MINIMUM_LEARNED_DICE = 0.1;

/** Returns a warning when the metric is Dice and no arm's mean over cases reaches the minimum. */
export function untrainedModelsWarning(grouped: GroupedMetrics, metric: string): string | null {
  if (metric !== "dice" || grouped.groups.length === 0) return null;

  const means = grouped.groups.map((group) => ({ label: groupLabel(group), value: mean([...caseMeans(group).values()]) }));
  const best = means.reduce((a, b) => (b.value > a.value ? b : a));
  if (!(best.value < MINIMUM_LEARNED_DICE)) return null;

  return (
    `No arm reached a mean tumor Dice of ${MINIMUM_LEARNED_DICE} (best: ${best.label}, ${best.value.toFixed(3)}): ` +
    "the models did not learn to find the tumor, so differences between arms say nothing about the question. " +
    "Train longer (more epochs or steps per epoch, a larger U-Net), for example with the full profile."
  );
}
