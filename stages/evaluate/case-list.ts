/** Reading the `cases.json` of ingest and resample artifacts (layout in stages/ARTIFACTS.md). */
import { readFile } from "node:fs/promises";
import { join } from "node:path";

export interface CaseEntry {
  id: string;
  /** Absolute path of the case's image. */
  image: string;
  /** Absolute path of the case's source label map. */
  label: string;
}

export interface CaseList {
  /** Source label value (as a decimal string) to label name, for example `{ "1": "tumor" }`. */
  labels: Record<string, string>;
  cases: CaseEntry[];
}

/** Reads `dir/cases.json` and resolves the case paths against `dir`. */
export async function readCaseList(dir: string): Promise<CaseList> {
  const path = join(dir, "cases.json");
  let parsed: { labels?: unknown; cases?: unknown };
  try {
    parsed = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new Error(`cannot read case list ${path}: ${(error as Error).message}; connect an ingest or resample 'cases' output`);
  }

  if (!Array.isArray(parsed.cases) || typeof parsed.labels !== "object" || parsed.labels === null) {
    throw new Error(`${path} is invalid: expected 'labels' (an object) and 'cases' (an array)`);
  }
  const cases = parsed.cases.map((entry: { id?: unknown; image?: unknown; label?: unknown }, index: number) => {
    if (typeof entry.id !== "string" || typeof entry.image !== "string" || typeof entry.label !== "string") {
      throw new Error(`${path}: case ${index} needs string fields id, image and label, got ${JSON.stringify(entry)}`);
    }
    return { id: entry.id, image: join(dir, entry.image), label: join(dir, entry.label) };
  });
  return { labels: parsed.labels as Record<string, string>, cases };
}

/** Returns the source label value named `name` (for example "tumor"), or throws. */
export function labelValue(list: CaseList, name: string, where: string): number {
  const entry = Object.entries(list.labels).find(([, labelName]) => labelName === name);
  if (!entry) {
    throw new Error(
      `${where}: no source label is named '${name}' (labels: ${JSON.stringify(list.labels)}); ` +
        `the reference input must be an ingest output whose labels include '${name}'`,
    );
  }
  return Number(entry[0]);
}
