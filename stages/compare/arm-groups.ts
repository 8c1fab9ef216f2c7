/**
 * Groups the per-case metric of every evaluate cell by arm and loss. Seeds stay apart so that the
 * seed spread can be measured, and folds merge because each case is validated in one fold only.
 */
import type { JsonValue, MatrixCell } from "../../engine/plugin.ts";
import { mean } from "../stats/summary.ts";
import type { MetricsCell } from "./load-inputs.ts";

export interface AxisNames {
  arm: string;
  loss: string;
  seed: string;
  fold: string;
}

/** All cells of one arm with one loss (and equal values on any further matrix axis). */
export interface ArmGroup {
  arm: string;
  loss: string;
  /** Further matrix axes as `axis=value` joined by commas; "" when the grid has none. */
  context: string;
  /** Seed value to case id to metric value. */
  bySeed: Map<string, Map<string, number>>;
  /** Case id to the fold that validated it. */
  folds: Map<string, string>;
}

export interface GroupedMetrics {
  groups: ArmGroup[];
  /** Losses in order of first appearance in the fan-in (the matrix order). */
  losses: string[];
  arms: string[];
  warnings: string[];
}

/** Axis value as text; a missing axis gives `fallback`. */
function axisValue(cell: MatrixCell, axis: string, fallback: string): string {
  const value: JsonValue | undefined = cell[axis];
  return value === undefined || value === null ? fallback : String(value);
}

function contextOf(cell: MatrixCell, axes: AxisNames): string {
  const named = new Set(Object.values(axes));
  return Object.keys(cell)
    .filter((axis) => !named.has(axis))
    .sort()
    .map((axis) => `${axis}=${String(cell[axis])}`)
    .join(",");
}

/**
 * Groups the metric `metric` of every case of every cell. Cases whose value is null or not a
 * finite number are left out and counted in a warning. A case that several folds of one seed
 * evaluated gets the mean of those values and a warning, because folds should partition cases.
 */
export function groupMetrics(cells: readonly MetricsCell[], axes: AxisNames, metric: string): GroupedMetrics {
  const byKey = new Map<string, ArmGroup & { duplicates: Map<string, number[]> }>();
  const losses: string[] = [];
  const arms: string[] = [];
  const warnings: string[] = [];
  let missing = 0;
  const allCases = cells.filter((cell) => cell.caseSelection === "all").length;
  if (allCases > 0) {
    warnings.push(
      `${allCases} evaluate cells scored all cases, not only their validation fold, so training cases enter the comparison; ` +
        "set the evaluate stage's case selection to 'validation'.",
    );
  }

  for (const cell of cells) {
    const arm = axisValue(cell.cell, axes.arm, "");
    if (arm === "") {
      throw new Error(`evaluate cell at ${cell.path} has no '${axes.arm}' axis; set arm_axis to one of: ${Object.keys(cell.cell).join(", ") || "(none)"}`);
    }
    const loss = axisValue(cell.cell, axes.loss, "default");
    const seed = axisValue(cell.cell, axes.seed, "0");
    const fold = axisValue(cell.cell, axes.fold, "0");
    const context = contextOf(cell.cell, axes);
    if (!losses.includes(loss)) losses.push(loss);
    if (!arms.includes(arm)) arms.push(arm);

    const key = JSON.stringify([arm, loss, context]);
    let group = byKey.get(key);
    if (!group) {
      group = { arm, loss, context, bySeed: new Map(), folds: new Map(), duplicates: new Map() };
      byKey.set(key, group);
    }
    const seedValues = group.bySeed.get(seed) ?? new Map<string, number>();
    group.bySeed.set(seed, seedValues);

    for (const row of cell.cases) {
      const value = row[metric];
      if (typeof value !== "number" || !Number.isFinite(value)) {
        missing++;
        continue;
      }
      const seen = group.duplicates.get(`${seed}/${row.id}`);
      if (seen) {
        seen.push(value);
        seedValues.set(row.id, mean(seen));
        continue;
      }
      group.duplicates.set(`${seed}/${row.id}`, [value]);
      seedValues.set(row.id, value);
      group.folds.set(row.id, fold);
    }
  }

  if (missing > 0) {
    warnings.push(`${missing} case results had no finite '${metric}' (for example HD95 with an empty mask) and were left out.`);
  }
  const groups = [...byKey.values()].map(({ duplicates, ...group }) => {
    const repeated = [...duplicates.entries()].filter(([, values]) => values.length > 1).length;
    if (repeated > 0) {
      warnings.push(`${group.arm} (${group.loss}): ${repeated} case results appear in more than one fold of the same seed and were averaged; folds should partition the cases.`);
    }
    return group;
  });
  return { groups, losses, arms, warnings };
}

/** Mean over seeds of each case's metric: the value that comparisons pair by case. */
export function caseMeans(group: ArmGroup): Map<string, number> {
  const valuesByCase = new Map<string, number[]>();
  for (const values of group.bySeed.values()) {
    for (const [id, value] of values) {
      const list = valuesByCase.get(id) ?? [];
      list.push(value);
      valuesByCase.set(id, list);
    }
  }
  return new Map([...valuesByCase].map(([id, values]) => [id, mean(values)]));
}

/** Human-readable name of a group, for example `organs (focal)` or `organs (focal, lr=0.01)`. */
export function groupLabel(group: Pick<ArmGroup, "arm" | "loss" | "context">): string {
  const details = [group.loss, group.context].filter((part) => part !== "").join(", ");
  return `${group.arm} (${details})`;
}
