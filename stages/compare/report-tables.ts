/** The report's tables as header and rows of display strings, shared by report.md and report.html. */
import type { ComparisonRecord, ReportModel } from "./report-model.ts";
import { formatP, formatValue } from "./verdict.ts";

export interface TextTable {
  header: string[];
  rows: string[][];
}

export function groupTable(model: ReportModel): TextTable {
  return {
    header: ["arm (loss)", "seeds", "cases", `mean ${model.metric_label}`, "seed SD"],
    rows: model.groups.map((g) => [g.label, String(g.seeds), String(g.cases), formatValue(g.mean), formatValue(g.seed_sd)]),
  };
}

export function comparisonTable(records: readonly ComparisonRecord[]): TextTable {
  const level = records.length > 0 ? Math.round(records[0].ci_level * 100) : 95;
  return {
    header: [
      "comparison",
      "n",
      "mean diff",
      "median diff",
      `${level} % CI (bootstrap)`,
      "Wilcoxon p",
      "p (Holm)",
      "rank-biserial r",
      "detectable diff",
      "outcome",
    ],
    rows: records.map((r) => [
      `${r.treatment} vs ${r.baseline}`,
      String(r.n),
      formatValue(r.mean_difference, true),
      formatValue(r.median_difference, true),
      `${formatValue(r.ci_low, true)} to ${formatValue(r.ci_high, true)}`,
      `${formatP(r.p_value)} (${r.p_method})`,
      formatP(r.p_holm),
      Number.isFinite(r.rank_biserial) ? r.rank_biserial.toFixed(2) : "n/a",
      formatValue(r.min_detectable_difference),
      r.outcome,
    ]),
  };
}

export function perCaseTable(model: ReportModel): TextTable {
  const columns = model.per_case.length > 0 ? Object.keys(model.per_case[0].values) : [];
  return {
    header: ["case", "fold", ...columns],
    rows: model.per_case.map((row) => [
      row.case,
      row.fold ?? "",
      ...columns.map((column) => (row.values[column] === null ? "" : formatValue(row.values[column]!))),
    ]),
  };
}

/** Describes the data and the training backend in one line for the report's header. */
export function provenanceLine(model: ReportModel): string {
  const data =
    model.data.source === null
      ? `data source unknown (no images input), ${model.data.cases} cases`
      : `data: ${model.data.source}${model.data.synthetic ? " (synthetic)" : ""}, ${model.data.cases} cases`;
  const backends =
    model.backends.length === 0
      ? "training backend unknown (no models input)"
      : "training backend: " +
        model.backends.map((b) => `${b.backend ?? "unknown"}${b.tfjs_version ? ` (TF.js ${b.tfjs_version})` : ""}, ${b.runs} runs`).join("; ");
  return `${data}; ${backends}.`;
}
