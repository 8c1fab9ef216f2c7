/**
 * Reads the `cases.json` of a `ct-cases` or `ct-cases-resampled` artifact (layout in
 * stages/ARTIFACTS.md): the declared source labels and each case's label map path.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";

export interface CaseLabelsEntry {
  id: string;
  /** Path of the source label map, relative to the artifact directory. */
  label: string;
}

export interface CasesLabels {
  /** Source label id (as a string) to name. */
  labels: Record<string, string>;
  cases: CaseLabelsEntry[];
  synthetic: boolean;
}

/** Reads and checks `dir/cases.json`; throws naming the file and the invalid field. */
export async function readCasesLabels(dir: string): Promise<CasesLabels> {
  const file = join(dir, "cases.json");
  const parsed = JSON.parse(await readFile(file, "utf8")) as Partial<CasesLabels>;

  const labels = parsed.labels;
  if (!labels || typeof labels !== "object" || Object.keys(labels).length === 0) {
    throw new Error(`${file}: 'labels' is missing or empty; the input must be an ingest or resample 'cases' artifact`);
  }
  if (!Array.isArray(parsed.cases)) {
    throw new Error(`${file}: 'cases' is missing; the input must be an ingest or resample 'cases' artifact`);
  }
  for (const entry of parsed.cases) {
    if (typeof entry?.id !== "string" || typeof entry?.label !== "string") {
      throw new Error(`${file}: case entry ${JSON.stringify(entry)} needs string fields 'id' and 'label'`);
    }
  }
  return { labels, cases: parsed.cases, synthetic: parsed.synthetic === true };
}
