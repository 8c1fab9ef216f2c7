/** The facts of a train artifact's `training.json` that evaluation needs. */
import { readFile } from "node:fs/promises";
import { join } from "node:path";

export interface TrainingRecord {
  /** Class names of the model's softmax output, background first. */
  classes: string[];
  /** Index of the tumour class in `classes`. */
  tumorClass: number;
  /** Fold of the cross-validation split, or null when the record has none. */
  fold: number | null;
  /** Held-out case ids of the fold. */
  validation: string[];
  /** Square patch side in pixels that the model was trained on. */
  patchSize: number;
  /** Neighbouring slices on each side of the input (2.5D); 0 for 2D. */
  contextSlices: number;
  /** U-Net pooling levels: tile sides must be multiples of 2^depth. Null when not recorded. */
  unetDepth: number | null;
}

/** Reads and checks `dir/training.json`; errors name the file and the field. */
export async function readTrainingRecord(dir: string): Promise<TrainingRecord> {
  const path = join(dir, "training.json");
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new Error(`cannot read ${path}: ${(error as Error).message}; connect the 'model' output of a train stage`);
  }

  const invalid = (field: string, expected: string, value: unknown) =>
    new Error(`${path}: '${field}' must be ${expected}, got ${JSON.stringify(value)}`);

  const classes = json.classes;
  if (!Array.isArray(classes) || classes.length < 2 || !classes.every((c) => typeof c === "string")) {
    throw invalid("classes", "a list of at least 2 class names", classes);
  }
  const tumorClass = json.tumor_class;
  if (!Number.isInteger(tumorClass) || (tumorClass as number) < 1 || (tumorClass as number) >= classes.length) {
    throw invalid("tumor_class", `a class index from 1 to ${classes.length - 1}`, tumorClass);
  }

  const split = json.split as { fold?: unknown; validation?: unknown } | undefined;
  const validation = split?.validation;
  if (!Array.isArray(validation) || !validation.every((id) => typeof id === "string")) {
    throw invalid("split.validation", "a list of case ids", validation);
  }
  const fold = Number.isInteger(split?.fold) ? (split!.fold as number) : null;

  // The train stage records its resolved params, which include the patch and 2.5D settings.
  const params = (json.params ?? {}) as { patch_size?: unknown; context_slices?: unknown; unet?: { depth?: unknown } };
  const patchSize = params.patch_size;
  if (!Number.isInteger(patchSize) || (patchSize as number) < 1) {
    throw invalid("params.patch_size", "a positive integer", patchSize);
  }
  const contextSlices = params.context_slices;
  if (!Number.isInteger(contextSlices) || (contextSlices as number) < 0) {
    throw invalid("params.context_slices", "an integer >= 0", contextSlices);
  }

  return {
    classes: classes as string[],
    tumorClass: tumorClass as number,
    fold,
    validation: validation as string[],
    patchSize: patchSize as number,
    contextSlices: contextSlices as number,
    unetDepth: Number.isInteger(params.unet?.depth) ? (params.unet!.depth as number) : null,
  };
}
