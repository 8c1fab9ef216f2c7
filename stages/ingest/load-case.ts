/**
 * Reads and validates one image and label pair, and converts them to the ingest output types:
 * int16 HU for the image and uint8 label ids for the label map.
 */
import { applyAffine } from "../volume/affine.ts";
import { readNifti } from "../volume/nifti.ts";
import type { Volume } from "../volume/volume.ts";
import type { CasePair } from "./dataset-layout.ts";

export interface LoadedCase {
  image: Volume<Int16Array>;
  label: Volume<Uint8Array>;
  /** Image voxels clamped to the int16 range (a warning, not an error). */
  clampedVoxels: number;
}

/**
 * Default maximum distance in mm between the world positions of the 8 corner voxels of the
 * image and label grids. 0.1 mm is far below any CT voxel size yet above float32 rounding of
 * the affine.
 */
export const DEFAULT_AFFINE_TOLERANCE_MM = 0.1;

/** An invalid case; `problems` lists every problem found, each naming its file. */
export class CaseProblems extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    super(problems.join("\n"));
    this.problems = problems;
  }
}

/**
 * Loads a case and checks it: both files readable, the same shape, affines whose grid corners
 * agree within `toleranceMm`, an image without NaN or infinite values, and label values that
 * are integers declared in `labels`. Throws `CaseProblems` listing every problem found.
 */
export async function loadCase(
  pair: CasePair,
  labels: Record<string, string>,
  toleranceMm: number,
): Promise<LoadedCase> {
  const problems: string[] = [];
  const image = await readOrReport(pair.image, problems);
  const label = await readOrReport(pair.label, problems);
  if (!image || !label) throw new CaseProblems(problems);

  problems.push(...gridProblems(pair, image, label, toleranceMm));
  const labelData = convertLabels(pair.label, label, labels, problems);
  const converted = convertImage(pair.image, image, problems);
  if (problems.length > 0 || !labelData || !converted) throw new CaseProblems(problems);

  return {
    image: { ...image, data: converted.data },
    label: { ...label, data: labelData },
    clampedVoxels: converted.clamped,
  };
}

async function readOrReport(path: string, problems: string[]): Promise<Volume | undefined> {
  try {
    return await readNifti(path);
  } catch (error) {
    const message = (error as Error).message.replace(`${path}: `, "");
    problems.push(`${path}: unreadable: ${message}; replace it with a valid 3-D NIfTI file`);
    return undefined;
  }
}

function gridProblems(pair: CasePair, image: Volume, label: Volume, toleranceMm: number): string[] {
  if (image.shape.some((n, axis) => n !== label.shape[axis])) {
    return [
      `${pair.label}: shape ${image.shape.join(" x ")} of the image differs from shape ` +
        `${label.shape.join(" x ")} of the label map; resample the label map onto the image grid`,
    ];
  }
  const distance = maxCornerDistance(image, label);
  if (!(distance <= toleranceMm)) {
    return [
      `${pair.label}: affine differs from the image's: grid corners are up to ${distance.toFixed(3)} mm apart ` +
        `(tolerance ${toleranceMm} mm); image affine ${JSON.stringify(image.affine)}, label affine ` +
        `${JSON.stringify(label.affine)}; write the label map with the image's affine or raise affine_tolerance_mm`,
    ];
  }
  return [];
}

/** Maximum distance in mm between the world positions of the 8 grid corners under both affines. */
export function maxCornerDistance(first: Volume, second: Volume): number {
  let maximum = 0;
  for (const corner of gridCorners(first.shape)) {
    const a = applyAffine(first.affine, corner);
    const b = applyAffine(second.affine, corner);
    maximum = Math.max(maximum, Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]));
  }
  return maximum;
}

function gridCorners([nx, ny, nz]: [number, number, number]): [number, number, number][] {
  const corners: [number, number, number][] = [];
  for (const i of [0, nx - 1]) for (const j of [0, ny - 1]) for (const k of [0, nz - 1]) corners.push([i, j, k]);
  return corners;
}

function convertLabels(
  path: string,
  label: Volume,
  labels: Record<string, string>,
  problems: string[],
): Uint8Array | undefined {
  const declared = new Uint8Array(256);
  for (const id of Object.keys(labels)) declared[Number(id)] = 1;
  const undeclared = new Map<number, number>();
  const data = new Uint8Array(label.data.length);

  for (let n = 0; n < data.length; n++) {
    const value = label.data[n];
    if (Number.isInteger(value) && value >= 0 && value <= 255 && declared[value]) data[n] = value;
    else undeclared.set(value, (undeclared.get(value) ?? 0) + 1);
  }
  if (undeclared.size === 0) return data;

  const values = [...undeclared].map(([value, count]) => `${value} (${count} voxels)`).join(", ");
  problems.push(
    `${path}: label values ${values} are not declared in the labels ${JSON.stringify(labels)}; ` +
      `declare them or fix the label map`,
  );
  return undefined;
}

/** Rounds to int16 HU and clamps to [-32768, 32767]; NaN or infinite values are problems. */
function convertImage(path: string, image: Volume, problems: string[]): { data: Int16Array; clamped: number } | undefined {
  if (image.data instanceof Int16Array) return { data: image.data, clamped: 0 };

  const data = new Int16Array(image.data.length);
  let clamped = 0;
  let nonFinite = 0;
  for (let n = 0; n < data.length; n++) {
    const value = image.data[n];
    if (!Number.isFinite(value)) {
      nonFinite++;
      continue;
    }
    const rounded = Math.round(value);
    if (rounded < -32768 || rounded > 32767) clamped++;
    data[n] = Math.min(32767, Math.max(-32768, rounded));
  }
  if (nonFinite > 0) {
    problems.push(`${path}: ${nonFinite} voxels are NaN or infinite; a CT image needs finite HU in every voxel`);
    return undefined;
  }
  return { data, clamped };
}
