/**
 * A check that the compared models learned the task at all. When no arm reaches a minimal tumor
 * Dice, every arm is near zero and differences between them carry no information.
 */
import { mean } from "../stats/summary.ts";
import { caseMeans, groupLabel, type GroupedMetrics } from "./arm-groups.ts";

/**
 * Mean tumor Dice below which a model is taken not to have learned the tumor. 0.1 is this
 * project's choice: far below any published lung-tumor result, far above chance overlap.
 */
export const MINIMUM_LEARNED_DICE = 0.1;

/**
 * Mean tumor Dice below which models are taken to be far from converged. 0.5 is this project's
 * choice, below the 0.6 to 0.75 that published lung-tumor CT segmentations report.
 */
export const CONVERGED_DICE = 0.5;

/**
 * Returns a warning when the metric is Dice and the best arm's mean over cases stays below
 * `MINIMUM_LEARNED_DICE` (nothing learned) or `CONVERGED_DICE` (far from converged).
 */
export function untrainedModelsWarning(grouped: GroupedMetrics, metric: string): string | null {
  if (metric !== "dice" || grouped.groups.length === 0) return null;

  const means = grouped.groups.map((group) => ({ label: groupLabel(group), value: mean([...caseMeans(group).values()]) }));
  const best = means.reduce((a, b) => (b.value > a.value ? b : a));
  const advice = "Train longer (more epochs or steps per epoch, a larger U-Net), for example with the full profile.";

  if (best.value < MINIMUM_LEARNED_DICE) {
    return (
      `No arm reached a mean tumor Dice of ${MINIMUM_LEARNED_DICE} (best: ${best.label}, ${best.value.toFixed(3)}): ` +
      `the models did not learn to find the tumor, so differences between arms say nothing about the question. ${advice}`
    );
  }
  if (best.value < CONVERGED_DICE) {
    return (
      `The best arm reached a mean tumor Dice of only ${best.value.toFixed(3)} (${best.label}): the models are far from ` +
      "converged, so the comparison shows how fast each arm learns under this training budget, not how well it " +
      `segments once trained. ${advice}`
    );
  }
  return null;
}
