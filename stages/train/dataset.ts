/**
 * Loading of the train stage's inputs: resampled CT images and the arm's label maps.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { readNifti } from "../volume/nifti.ts";
import type { Volume } from "../volume/volume.ts";

/** One case in memory: image in [0, 1], label map in arm classes, tumor voxel positions. */
export interface TrainingCase {
  id: string;
  image: Volume<Float32Array>;
  label: Uint8Array;
  shape: [number, number, number];
  /** Linear indices (x-fastest) of the voxels labelled `tumorClass`, ascending. */
  tumorVoxels: Uint32Array;
  /** Class indices marked unannotated in this case's metadata (labelled background instead). */
  unannotated: number[];
}

/** The `labels.json` fields the train stage reads. */
export interface LabelsManifest {
  classes: string[];
  tumor_class: number;
  cases: { id: string; label: string; unannotated?: (string | number)[] }[];
}

interface CasesManifest {
  cases: { id: string; image: string }[];
}

export async function readLabelsManifest(labelsDir: string): Promise<LabelsManifest> {
  const manifest = await readJson<LabelsManifest>(join(labelsDir, "labels.json"));
  const { classes, tumor_class: tumorClass } = manifest;
  if (!Array.isArray(classes) || classes.length < 2) {
    throw new Error(`${labelsDir}/labels.json: classes must list at least 2 classes, got ${JSON.stringify(classes)}`);
  }
  if (!Number.isInteger(tumorClass) || tumorClass <= 0 || tumorClass >= classes.length) {
    throw new Error(`${labelsDir}/labels.json: tumor_class ${tumorClass} is not a foreground class index of ${classes.length} classes`);
  }
  return manifest;
}

/** Reads the named cases' images and label maps; `caseIds` decides the order. */
export async function loadCases(
  imagesDir: string,
  labelsDir: string,
  labels: LabelsManifest,
  caseIds: string[],
): Promise<TrainingCase[]> {
  const images = await readJson<CasesManifest>(join(imagesDir, "cases.json"));
  const imageById = new Map(images.cases.map((c) => [c.id, c.image]));
  const labelById = new Map(labels.cases.map((c) => [c.id, c]));

  const cases: TrainingCase[] = [];
  for (const id of caseIds) {
    const imagePath = imageById.get(id);
    const labelEntry = labelById.get(id);
    if (!imagePath) throw new Error(`${imagesDir}/cases.json: case ${id} of labels.json is missing`);
    if (!labelEntry) throw new Error(`${labelsDir}/labels.json: case ${id} is missing`);
    cases.push(await loadCase(id, join(imagesDir, imagePath), join(labelsDir, labelEntry.label), labels, labelEntry.unannotated ?? []));
  }
  return cases;
}

async function loadCase(
  id: string,
  imagePath: string,
  labelPath: string,
  labels: LabelsManifest,
  unannotated: (string | number)[],
): Promise<TrainingCase> {
  const image = await readNifti(imagePath);
  const label = await readNifti(labelPath);
  if (image.shape.join() !== label.shape.join()) {
    throw new Error(`case ${id}: image shape [${image.shape}] (${imagePath}) differs from label shape [${label.shape}] (${labelPath})`);
  }

  const labelData = Uint8Array.from(label.data);
  const classCount = labels.classes.length;
  for (let i = 0; i < labelData.length; i++) {
    if (labelData[i] >= classCount) {
      throw new Error(`${labelPath}: voxel ${i} has label ${labelData[i]}, but labels.json lists ${classCount} classes`);
    }
  }

  return {
    id,
    image: { ...image, data: Float32Array.from(image.data) },
    label: labelData,
    shape: image.shape,
    tumorVoxels: voxelsOfClass(labelData, labels.tumor_class),
    unannotated: unannotated.map((entry) => classIndex(entry, labels.classes, id)).filter((index) => index !== null),
  };
}

function voxelsOfClass(label: Uint8Array, classIndex: number): Uint32Array {
  const positions: number[] = [];
  for (let i = 0; i < label.length; i++) {
    if (label[i] === classIndex) positions.push(i);
  }
  return Uint32Array.from(positions);
}

/**
 * Maps an `unannotated` entry (class name or index) to a class index. A name that is not a class
 * of this arm returns null: its voxels are background in this arm anyway, so nothing is marginal.
 */
function classIndex(entry: string | number, classes: string[], caseId: string): number | null {
  if (typeof entry === "string" && !classes.includes(entry)) return null;
  const index = typeof entry === "number" ? entry : classes.indexOf(entry);
  if (!Number.isInteger(index) || index <= 0 || index >= classes.length) {
    throw new Error(`labels.json: case ${caseId} marks ${entry} unannotated, which is not a foreground class index of [${classes.join(", ")}]`);
  }
  return index;
}

async function readJson<T>(path: string): Promise<T> {
  try {
    return JSON.parse(await readFile(path, "utf8")) as T;
  } catch (error) {
    throw new Error(`cannot read ${path}: ${(error as Error).message}`);
  }
}
