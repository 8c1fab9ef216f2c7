/**
 * Better direction of each per-case metric of metrics.json. Dice, NSD and the lesion
 * detection scores are overlaps (higher is better); HD95 in mm and the absolute volume error in
 * mL are errors (lower is better). Other fields have no known direction.
 */
export type MetricDirection = "higher" | "lower" | "unknown";

const HIGHER_IS_BETTER = new Set(["dice", "nsd", "lesion_f1", "lesion_precision", "lesion_recall"]);
const LOWER_IS_BETTER = new Set(["hd95_mm", "volume_error_ml"]);

export function metricDirection(metric: string): MetricDirection {
  if (HIGHER_IS_BETTER.has(metric)) return "higher";
  if (LOWER_IS_BETTER.has(metric)) return "lower";
  return "unknown";
}

/** Display name with unit, for example "Dice" or "HD95 (mm)". */
export function metricLabel(metric: string): string {
  const names: Record<string, string> = {
    dice: "Dice",
    nsd: "NSD",
    hd95_mm: "HD95 (mm)",
    lesion_f1: "lesion F1",
    lesion_precision: "lesion precision",
    lesion_recall: "lesion recall",
    volume_error_ml: "volume error (mL)",
  };
  return names[metric] ?? metric;
}
