/** Writing `metrics.json` and `metrics.csv` of the evaluate stage. */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { MatrixCell } from "../../engine/plugin.ts";
import type { CaseMetrics } from "../metrics/case-metrics.ts";

export interface CaseResult extends CaseMetrics {
  id: string;
}

/** Contents of `metrics.json`. */
export interface MetricsReport {
  cell: MatrixCell;
  classes: string[];
  tumor_class: number;
  /** Case selection: "validation" (the model's held-out fold) or "all". */
  case_selection: string;
  fold: number | null;
  policy: string;
  /** Definition of the tumour mask on the original grid. */
  mapping: string;
  cases: CaseResult[];
}

/** CSV columns in order; every one is a field of `CaseResult`. */
export const CSV_COLUMNS: (keyof CaseResult)[] = [
  "id",
  "dice",
  "hd95_mm",
  "nsd",
  "nsd_tolerance_mm",
  "lesion_precision",
  "lesion_recall",
  "lesion_f1",
  "reference_lesions",
  "predicted_lesions",
  "matched_lesions",
  "volume_error_ml",
  "reference_ml",
  "predicted_ml",
  "empty",
];

/** Writes `metrics.json` and `metrics.csv` into `dir`; null values are empty CSV fields. */
export async function writeMetricsFiles(dir: string, report: MetricsReport): Promise<void> {
  await writeFile(join(dir, "metrics.json"), `${JSON.stringify(report, null, 2)}\n`);

  const lines = [CSV_COLUMNS.join(",")];
  for (const result of report.cases) {
    lines.push(CSV_COLUMNS.map((column) => formatCsvField(result[column])).join(","));
  }
  await writeFile(join(dir, "metrics.csv"), `${lines.join("\n")}\n`);
}

function formatCsvField(value: string | number | null): string {
  if (value === null) return "";
  if (typeof value === "number") return String(value);
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
