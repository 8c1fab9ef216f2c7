/**
 * Finds the cases of a data set folder. Two layouts are accepted:
 *
 * - MSD (Medical Segmentation Decathlon): `dataset.json` with `labels` (id to name, or the
 *   nnU-Net v2 form name to id) and `training: [{ image, label }]`, paths relative to the folder
 *   (`./imagesTr/LUNG1-001.nii.gz`). Test images without labels are ignored.
 * - Folder pair: `images/` and `labels/` with `.nii` or `.nii.gz` files matched by case id, the
 *   file name without extension and without an nnU-Net channel suffix `_0000` on the image.
 *   Labels come from `labels.json` in the folder (id to name) or from the `labels` param.
 *
 * Case ids are the image file names without extension (and `_0000`), for example `LUNG1-001`.
 * Problems that concern single cases (a missing label file, a duplicate id) are collected, not
 * thrown, so that ingest can report every problem of a data set at once.
 */
import { existsSync, statSync } from "node:fs";
import { readFile, readdir } from "node:fs/promises";
import { basename, join, resolve } from "node:path";

export interface CasePair {
  id: string;
  /** Absolute paths. */
  image: string;
  label: string;
}

export interface DatasetLayout {
  layout: "msd" | "folders";
  /** Absolute path of the data set folder. */
  root: string;
  /** Source label id (as a string) to name. */
  labels: Record<string, string>;
  pairs: CasePair[];
  /** Files that describe the data set besides the volumes (dataset.json, labels.json). */
  metadataFiles: string[];
  /** Per-case problems, each naming the file and what to do. */
  problems: string[];
}

const NIFTI_EXTENSION = /\.nii(\.gz)?$/;
const CHANNEL_SUFFIX = /_0000$/;

/**
 * Resolves `source` against the current working directory and reads its layout. Throws when the
 * folder is missing, matches no layout, or its label declaration is invalid.
 */
export async function readDatasetLayout(source: string, labelsParam?: Record<string, string>): Promise<DatasetLayout> {
  const root = resolve(process.cwd(), source);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new Error(
      `source '${source}' not found: no folder at ${root} (relative paths resolve against the ` +
        `current working directory ${process.cwd()}); give 'synthetic-chest' or a data set folder`,
    );
  }

  if (existsSync(join(root, "dataset.json"))) {
    if (labelsParam) {
      throw new Error(`${join(root, "dataset.json")} declares the labels; remove the 'labels' param`);
    }
    return readMsdLayout(root);
  }
  if (existsSync(join(root, "images")) && existsSync(join(root, "labels"))) {
    return readFolderPairLayout(root, labelsParam);
  }
  throw new Error(
    `${root}: no data set layout found; expected dataset.json (MSD layout) or the folders ` +
      `images/ and labels/ (folder pair layout)`,
  );
}

async function readMsdLayout(root: string): Promise<DatasetLayout> {
  const file = join(root, "dataset.json");
  let dataset: { labels?: unknown; training?: unknown };
  try {
    dataset = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new Error(`${file}: invalid JSON (${(error as Error).message}); fix the file`);
  }
  const labels = normaliseLabels(dataset.labels, file);

  if (!Array.isArray(dataset.training) || dataset.training.length === 0) {
    throw new Error(`${file}: 'training' must be a non-empty list of { image, label } entries`);
  }
  const problems: string[] = [];
  const candidates: CasePair[] = [];
  for (const [n, entry] of (dataset.training as { image?: unknown; label?: unknown }[]).entries()) {
    if (typeof entry?.image !== "string" || typeof entry?.label !== "string") {
      problems.push(`${file}: training[${n}] needs string fields 'image' and 'label'`);
      continue;
    }
    const image = resolve(root, entry.image);
    const label = resolve(root, entry.label);
    candidates.push({ id: caseId(image), image, label });
  }

  const pairs = checkPairs(candidates, problems, "listed in dataset.json");
  return { layout: "msd", root, labels, pairs, metadataFiles: [file], problems };
}

async function readFolderPairLayout(root: string, labelsParam?: Record<string, string>): Promise<DatasetLayout> {
  const labelsFile = join(root, "labels.json");
  let labels: Record<string, string>;
  const metadataFiles: string[] = [];
  if (labelsParam) {
    labels = normaliseLabels(labelsParam, "the 'labels' param");
  } else if (existsSync(labelsFile)) {
    labels = normaliseLabels(JSON.parse(await readFile(labelsFile, "utf8")), labelsFile);
    metadataFiles.push(labelsFile);
  } else {
    throw new Error(
      `${root}: the folder pair layout needs its labels: write labels.json ({ "0": "background", "1": "tumor", ... }) ` +
        `or set the 'labels' param`,
    );
  }

  const imageFiles = await niftiFiles(join(root, "images"));
  const labelFiles = new Map((await niftiFiles(join(root, "labels"))).map((path) => [caseId(path), path]));
  const problems: string[] = [];
  const candidates: CasePair[] = [];

  for (const image of imageFiles) {
    const id = caseId(image);
    const label = labelFiles.get(id);
    if (!label) {
      problems.push(`${image}: label file not found: expected labels/${id}.nii.gz or labels/${id}.nii`);
      continue;
    }
    labelFiles.delete(id);
    candidates.push({ id, image, label });
  }
  for (const [id, label] of labelFiles) {
    problems.push(`${label}: no image for this label map: expected images/${id}.nii.gz or images/${id}.nii`);
  }

  const pairs = checkPairs(candidates, problems, "in images/ and labels/");
  return { layout: "folders", root, labels, pairs, metadataFiles, problems };
}

/** Keeps pairs whose files exist and whose ids are unique; adds a problem for every other. */
function checkPairs(candidates: CasePair[], problems: string[], where: string): CasePair[] {
  const seen = new Map<string, string>();
  const pairs: CasePair[] = [];
  for (const pair of candidates) {
    const missing = [pair.image, pair.label].filter((path) => !existsSync(path));
    for (const path of missing) problems.push(`${path}: file not found, but ${where}; add the file or remove the case`);
    const earlier = seen.get(pair.id);
    if (earlier) problems.push(`${pair.image}: case id '${pair.id}' is also the id of ${earlier}; rename one of them`);
    if (missing.length > 0 || earlier) continue;
    seen.set(pair.id, pair.image);
    pairs.push(pair);
  }
  return pairs.sort((a, b) => compareIds(a.id, b.id));
}

function compareIds(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

/**
 * Checks a label declaration and returns it as id (decimal string) to name. Accepts id to name
 * (MSD) and name to id (nnU-Net v2); ids must be integers in 0..255 with 0 named `background`.
 */
export function normaliseLabels(value: unknown, where: string): Record<string, string> {
  if (!value || typeof value !== "object" || Array.isArray(value) || Object.keys(value).length === 0) {
    throw new Error(`${where}: 'labels' must be an object of label id to name, for example { "0": "background", "1": "tumor" }`);
  }
  const entries = Object.entries(value as Record<string, unknown>);
  const nameToId = entries.every(([, id]) => typeof id === "number");
  const pairs = nameToId ? entries.map(([name, id]) => [String(id), name]) : entries;

  const labels: Record<string, string> = {};
  const names = new Set<string>();
  for (const [id, name] of pairs) {
    const numeric = Number(id);
    if (!Number.isInteger(numeric) || numeric < 0 || numeric > 255 || typeof name !== "string" || name === "") {
      throw new Error(`${where}: invalid label ${JSON.stringify(id)}: ${JSON.stringify(name)}; ids are integers 0..255 with a name`);
    }
    if (names.has(name)) throw new Error(`${where}: label name '${name}' is declared twice; names must be unique`);
    names.add(name);
    labels[String(numeric)] = name;
  }
  if (labels["0"] !== "background") {
    throw new Error(`${where}: label 0 must be 'background', found ${JSON.stringify(labels["0"] ?? null)}`);
  }
  return labels;
}

async function niftiFiles(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter((name) => NIFTI_EXTENSION.test(name) && !name.startsWith("."));
  return names.sort().map((name) => join(dir, name));
}

/** File name without `.nii`/`.nii.gz` and without an nnU-Net channel suffix `_0000`. */
export function caseId(path: string): string {
  return basename(path).replace(NIFTI_EXTENSION, "").replace(CHANNEL_SUFFIX, "");
}
