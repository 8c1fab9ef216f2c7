/** Builders of tiny evaluate inputs: ingest and resample case directories of a sphere "tumour" on two grids. */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { writeNifti } from "../../stages/volume/nifti.ts";
import type { Volume, VoxelArray } from "../../stages/volume/volume.ts";

type Vector = [number, number, number];

export interface Grid {
  shape: Vector;
  affine: number[];
}

/** A case: a tumour sphere in world mm (null: no tumour in the reference). */
export interface SyntheticCase {
  id: string;
  tumour: { centre: Vector; radius: number } | null;
  /** Whether the image shows the tumour, so the threshold model predicts it. */
  visible: boolean;
}

/**
 * Original grid: LPS-like axes (x and y flipped), 0.8 x 0.8 x 2.5 mm. Resampled grid: RAS,
 * 1.5 x 1.5 x 2.5 mm, over about the same field of view.
 */
export const ORIGINAL_GRID: Grid = {
  shape: [40, 36, 12],
  affine: [-0.8, 0, 0, 20, 0, -0.8, 0, 15, 0, 0, 2.5, -10, 0, 0, 0, 1],
};
export const RESAMPLED_GRID: Grid = {
  shape: [21, 19, 12],
  affine: [1.5, 0, 0, -11, 0, 1.5, 0, -13, 0, 0, 2.5, -10, 0, 0, 0, 1],
};

/** Returns world mm of voxel (i, j, k) on `grid`. */
export function worldOf(grid: Grid, i: number, j: number, k: number): Vector {
  const a = grid.affine;
  return [
    a[0] * i + a[1] * j + a[2] * k + a[3],
    a[4] * i + a[5] * j + a[6] * k + a[7],
    a[8] * i + a[9] * j + a[10] * k + a[11],
  ];
}

/** Returns an x-fastest array over `grid` with `valueAt(world mm)` at each voxel centre. */
export function sampleGrid<T extends VoxelArray>(grid: Grid, data: T, valueAt: (world: Vector) => number): T {
  const [nx, ny, nz] = grid.shape;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) data[i + nx * (j + ny * k)] = valueAt(worldOf(grid, i, j, k));
    }
  }
  return data;
}

/** Returns 1 inside the case's tumour sphere and 0 outside (0 everywhere without a tumour). */
export function tumourIndicator(item: SyntheticCase): (world: Vector) => number {
  return (world) => {
    if (!item.tumour) return 0;
    const [cx, cy, cz] = item.tumour.centre;
    const distance = Math.hypot(world[0] - cx, world[1] - cy, world[2] - cz);
    return distance <= item.tumour.radius ? 1 : 0;
  };
}

/** Returns the source label at a world position: 1 tumour, 2 lung (x < -5 mm), 0 background. */
function sourceLabel(item: SyntheticCase): (world: Vector) => number {
  const tumour = tumourIndicator(item);
  return (world) => {
    if (tumour(world)) return 1;
    return world[0] < -5 ? 2 : 0;
  };
}

function volumeOn<T extends VoxelArray>(grid: Grid, data: T): Volume<T> {
  const a = grid.affine;
  const spacing: Vector = [Math.hypot(a[0], a[4], a[8]), Math.hypot(a[1], a[5], a[9]), Math.hypot(a[2], a[6], a[10])];
  return { data, shape: grid.shape, spacing, affine: grid.affine };
}

/**
 * Writes an ingest-like directory: int16 CT and uint8 source labels (1 tumour, 2 lung) on the
 * original grid, and `cases.json`.
 */
export async function writeIngestCases(dir: string, cases: SyntheticCase[]): Promise<void> {
  const labels = { "0": "background", "1": "tumor", "2": "lung" };
  for (const item of cases) {
    await mkdir(join(dir, item.id), { recursive: true });
    const tumour = tumourIndicator(item);
    const label = sampleGrid(ORIGINAL_GRID, new Uint8Array(40 * 36 * 12), sourceLabel(item));
    const image = sampleGrid(ORIGINAL_GRID, new Int16Array(40 * 36 * 12), (w) => (tumour(w) ? 40 : -800));
    await writeNifti(join(dir, item.id, "label.nii.gz"), volumeOn(ORIGINAL_GRID, label));
    await writeNifti(join(dir, item.id, "image.nii.gz"), volumeOn(ORIGINAL_GRID, image));
  }
  await writeCasesJson(dir, labels, cases, {});
}

/**
 * Writes a resample-like directory: float32 images on the resampled grid that are 1 inside a
 * visible tumour and 0 elsewhere, source labels on the same grid, and `cases.json`.
 */
export async function writeResampledCases(dir: string, cases: SyntheticCase[]): Promise<void> {
  const labels = { "0": "background", "1": "tumor", "2": "lung" };
  const voxels = 21 * 19 * 12;
  for (const item of cases) {
    await mkdir(join(dir, item.id), { recursive: true });
    const tumour = tumourIndicator(item);
    const image = sampleGrid(RESAMPLED_GRID, new Float32Array(voxels), (w) => (item.visible ? tumour(w) : 0));
    const label = sampleGrid(RESAMPLED_GRID, new Uint8Array(voxels), sourceLabel(item));
    await writeNifti(join(dir, item.id, "image.nii.gz"), volumeOn(RESAMPLED_GRID, image));
    await writeNifti(join(dir, item.id, "label.nii.gz"), volumeOn(RESAMPLED_GRID, label));
  }
  await writeCasesJson(dir, labels, cases, { spacing_mm: [1.5, 1.5, 2.5], orientation: "RAS" });
}

async function writeCasesJson(
  dir: string,
  labels: Record<string, string>,
  cases: SyntheticCase[],
  extra: Record<string, unknown>,
): Promise<void> {
  const entries = cases.map((item) => ({
    id: item.id,
    image: `${item.id}/image.nii.gz`,
    label: `${item.id}/label.nii.gz`,
  }));
  const json = { source: "synthetic-test", synthetic: true, labels, ...extra, cases: entries };
  await writeFile(join(dir, "cases.json"), JSON.stringify(json, null, 2));
}
