/**
 * Reads the `cases.json` of an ingest `cases` artifact (layout in stages/ARTIFACTS.md), keeping
 * every field so that the resample stage can pass them on.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";

export interface InputCase {
  id: string;
  /** Image path relative to the artifact directory. */
  image: string;
  /** Label map path relative to the artifact directory. */
  label: string;
  [field: string]: unknown;
}

export interface InputCases {
  /** Source label value (as a decimal string) to name, for example `{ "1": "tumor" }`. */
  labels: Record<string, string>;
  cases: InputCase[];
  [field: string]: unknown;
}

/** Reads and checks `dir/cases.json`; throws naming the file and the invalid field. */
export async function readInputCases(dir: string): Promise<InputCases> {
  const file = join(dir, "cases.json");
  let parsed: Partial<InputCases>;
  try {
    parsed = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new Error(`cannot read ${file}: ${(error as Error).message}; connect the 'cases' output of an ingest stage`);
  }

  if (!parsed.labels || typeof parsed.labels !== "object") {
    throw new Error(`${file}: 'labels' is missing; connect the 'cases' output of an ingest stage`);
  }
  if (!Array.isArray(parsed.cases)) {
    throw new Error(`${file}: 'cases' is missing; connect the 'cases' output of an ingest stage`);
  }
  for (const entry of parsed.cases) {
    if (typeof entry?.id !== "string" || typeof entry?.image !== "string" || typeof entry?.label !== "string") {
      throw new Error(`${file}: case entry ${JSON.stringify(entry)} needs string fields 'id', 'image' and 'label'`);
    }
  }
  return parsed as InputCases;
}

/** Returns the label values whose names are in `names`, in label-value order. */
export function labelValuesNamed(labels: Record<string, string>, names: readonly string[]): number[] {
  return Object.entries(labels)
    .filter(([, name]) => names.includes(name))
    .map(([value]) => Number(value))
    .sort((a, b) => a - b);
}
