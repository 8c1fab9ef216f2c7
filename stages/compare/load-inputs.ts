/**
 * Reads the compare stage's inputs: per-case metrics of every evaluate cell, training records of
 * every train cell and the case list of the resampled images. Errors name the file and the field.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { InputArtifact, MatrixCell } from "../../engine/plugin.ts";

/** One evaluate cell: its matrix cell, its directory and the per-case rows of metrics.json. */
export interface MetricsCell {
  cell: MatrixCell;
  path: string;
  /** Voxel value of the tumor in the predictions: `tumor_class`, else the index of "tumor" in `classes`, else 1. */
  tumorClass: number;
  /** "validation" (the held-out fold only) or "all"; null when metrics.json lacks the field. */
  caseSelection: string | null;
  cases: Array<{ id: string } & Record<string, unknown>>;
}

/** One epoch of a learning curve. */
export interface CurvePoint {
  epoch: number;
  trainLoss: number | null;
  validationDice: number | null;
}

/** One train cell's record from training.json. */
export interface TrainingRun {
  cell: MatrixCell;
  backend: string | null;
  tfjsVersion: string | null;
  curve: CurvePoint[];
}

/** The resampled case set: where the CT and reference label of each case are. */
export interface CaseSet {
  path: string;
  source: string | null;
  synthetic: boolean;
  /** Voxel values named "tumor" in `labels` of cases.json; empty when none is. */
  tumorLabels: number[];
  cases: Array<{ id: string; image: string; label: string }>;
}

async function readJson(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new Error(`cannot read ${path}: ${(error as Error).message}; check the upstream stage's output`);
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`invalid JSON in ${path}: ${(error as Error).message}`);
  }
}

/** Reads metrics.json of every fanned-in evaluate cell. */
export async function loadMetricsCells(inputs: readonly InputArtifact[]): Promise<MetricsCell[]> {
  const cells: MetricsCell[] = [];
  for (const input of inputs) {
    const file = join(input.path, "metrics.json");
    const json = await readJson(file);
    if (!Array.isArray(json.cases)) {
      throw new Error(`${file}: field 'cases' must be a list of per-case metrics, got ${typeof json.cases}`);
    }
    const classes = Array.isArray(json.classes) ? (json.classes as string[]) : [];
    const tumorClass = typeof json.tumor_class === "number" ? json.tumor_class : classes.indexOf("tumor");
    cells.push({
      cell: input.cell,
      path: input.path,
      tumorClass: tumorClass >= 0 ? tumorClass : 1,
      caseSelection: typeof json.case_selection === "string" ? json.case_selection : null,
      cases: json.cases as MetricsCell["cases"],
    });
  }
  return cells;
}

/** Returns the first finite number among `record[names]`, or null. */
function numberField(record: Record<string, unknown>, names: string[]): number | null {
  for (const name of names) {
    const value = record[name];
    if (typeof value === "number" && Number.isFinite(value)) return value;
  }
  return null;
}

/** Backend name from training.json, where `backend` is a name or an object with `name`. */
function backendName(backend: unknown): string | null {
  if (typeof backend === "string") return backend;
  if (backend && typeof backend === "object" && typeof (backend as { name?: unknown }).name === "string") {
    return (backend as { name: string }).name;
  }
  return null;
}

/**
 * Reads training.json of every fanned-in train cell. The learning curve is the list in
 * `curve`, `learning_curve` or `epochs`. Each entry gives `epoch`, the training loss as `loss`
 * or `train_loss`, and the validation tumor Dice as `val_tumor_dice`, `validation_tumor_dice`
 * or `val_dice`.
 */
export async function loadTrainingRuns(inputs: readonly InputArtifact[]): Promise<TrainingRun[]> {
  const runs: TrainingRun[] = [];
  for (const input of inputs) {
    const json = await readJson(join(input.path, "training.json"));
    const list = [json.curve, json.learning_curve, json.epochs].find(Array.isArray) as
      | Record<string, unknown>[]
      | undefined;
    const curve = (list ?? []).map((entry, i) => ({
      epoch: numberField(entry, ["epoch"]) ?? i + 1,
      trainLoss: numberField(entry, ["loss", "train_loss"]),
      validationDice: numberField(entry, ["val_tumor_dice", "validation_tumor_dice", "val_dice"]),
    }));
    const version = json.tfjs_version ?? (json.backend as { tfjsVersion?: unknown } | undefined)?.tfjsVersion;
    runs.push({ cell: input.cell, backend: backendName(json.backend), tfjsVersion: typeof version === "string" ? version : null, curve });
  }
  return runs;
}

/** Reads cases.json of the resampled images (a single artifact). */
export async function loadCaseSet(input: InputArtifact): Promise<CaseSet> {
  const file = join(input.path, "cases.json");
  const json = await readJson(file);
  if (!Array.isArray(json.cases)) {
    throw new Error(`${file}: field 'cases' must be a list of { id, image, label }`);
  }

  const labels = (json.labels ?? {}) as Record<string, string>;
  const tumorLabels = Object.entries(labels)
    .filter(([, name]) => name === "tumor")
    .map(([value]) => Number(value));
  return {
    path: input.path,
    source: typeof json.source === "string" ? json.source : null,
    synthetic: json.synthetic === true,
    tumorLabels,
    cases: json.cases as CaseSet["cases"],
  };
}
