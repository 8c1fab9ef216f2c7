/** Assembles the data of the three plots from the grouped metrics, the tables and the training runs, and renders them to SVG. */
import { caseMeans, groupLabel, type AxisNames, type GroupedMetrics } from "./arm-groups.ts";
import type { ComparisonTables } from "./comparison-tables.ts";
import type { TrainingRun } from "./load-inputs.ts";
import { distributionSpec, differencesSpec, learningCurveSpec, renderSvg, type CurvePointRow } from "./plots.ts";

/** File name to SVG text, in report order; the learning curves only when a run has a curve. */
export async function buildPlots(
  grouped: GroupedMetrics,
  tables: ComparisonTables,
  runs: readonly TrainingRun[],
  axes: AxisNames,
  metricName: string,
): Promise<Record<string, string>> {
  const distribution = grouped.groups.flatMap((group) =>
    [...caseMeans(group)].map(([id, value]) => ({ group: groupLabel(group), arm: group.arm, case: id, value })),
  );
  const differences = tables.arms.flatMap((row) =>
    row.comparison.cases.map((id, i) => ({
      comparison: `${row.treatment.label} - ${row.baseline.label}`,
      case: id,
      difference: row.comparison.differences[i],
    })),
  );

  const plots: Record<string, string> = {
    "plot-distribution.svg": await renderSvg(distributionSpec(distribution, metricName)),
    "plot-differences.svg": await renderSvg(differencesSpec(differences, metricName)),
  };

  const curves = runs.flatMap((run) => curveRows(run, axes));
  if (curves.length > 0) plots["plot-learning-curves.svg"] = await renderSvg(learningCurveSpec(curves, grouped.arms));
  return plots;
}

function curveRows(run: TrainingRun, axes: AxisNames): CurvePointRow[] {
  const arm = String(run.cell[axes.arm] ?? "unknown");
  const runId = Object.entries(run.cell).map(([axis, value]) => `${axis}=${String(value)}`).join(",");
  const rows: CurvePointRow[] = [];
  for (const point of run.curve) {
    if (point.trainLoss !== null) rows.push({ run: runId, arm, epoch: point.epoch, quantity: "training loss", value: point.trainLoss });
    if (point.validationDice !== null) {
      rows.push({ run: runId, arm, epoch: point.epoch, quantity: "validation tumor Dice", value: point.validationDice });
    }
  }
  return rows;
}
