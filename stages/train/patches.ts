/**
 * Training patch sampling and batch assembly.
 *
 * Every draw depends only on the RNG, the training case list and the tumor voxel positions,
 * which are the same in every arm of a granularity ablation, never on the arm's other classes.
 * So with the same seed a binary and a multi-class arm see the same patches in the same order.
 */
import { extractImageWindow, extractLabelWindow } from "../model/slices.ts";
import type { TrainingCase } from "./dataset.ts";
import type { Rng } from "./rng.ts";

/** Centre of a training patch: case index into the training list, axial slice and pixel. */
export interface PatchCentre {
  caseIndex: number;
  z: number;
  y: number;
  x: number;
  /** Whether the centre was drawn among tumor voxels. */
  tumor: boolean;
}

/**
 * Returns whether patch number `index` (counted from the start of training) is centred on tumor.
 * The first n patches contain exactly floor(n * fraction) tumor patches, for every batch size
 * and epoch length. nnU-Net instead forces foreground in a fixed share of each batch and picks
 * one of the foreground classes at random for it. With K - 1 foreground classes only about
 * 1/(K - 1) of those patches then show tumor, which would confound a granularity comparison.
 */
export function isTumorPatch(index: number, fraction: number): boolean {
  return Math.floor((index + 1) * fraction) > Math.floor(index * fraction);
}

/**
 * Draws a patch centre. A tumor patch picks a training case with tumor uniformly, then one of
 * its tumor voxels uniformly. A random patch picks a case, a slice and a pixel uniformly.
 */
export function samplePatchCentre(rng: Rng, cases: TrainingCase[], tumor: boolean): PatchCentre {
  if (tumor) {
    const withTumor = cases.map((c, i) => (c.tumorVoxels.length > 0 ? i : -1)).filter((i) => i >= 0);
    if (withTumor.length === 0) {
      throw new Error("tumor patch requested but no training case contains a tumor voxel; set tumor_patch_fraction to 0 or check the labels");
    }
    const caseIndex = withTumor[rng.int(withTumor.length)];
    const { tumorVoxels, shape } = cases[caseIndex];
    const voxel = tumorVoxels[rng.int(tumorVoxels.length)];
    const [nx, ny] = shape;
    return { caseIndex, x: voxel % nx, y: Math.floor(voxel / nx) % ny, z: Math.floor(voxel / (nx * ny)), tumor };
  }

  const caseIndex = rng.int(cases.length);
  const [nx, ny, nz] = cases[caseIndex].shape;
  return { caseIndex, z: rng.int(nz), y: rng.int(ny), x: rng.int(nx), tumor };
}

/** One training batch: images [B, P, P, C] and class indices [B, P, P], row-major. */
export interface PatchBatch {
  images: Float32Array;
  labels: Int32Array;
  /** Case index per patch, for the per-case unannotated masks. */
  caseIndices: number[];
}

/**
 * Cuts `patchSize` x `patchSize` windows centred on `centres` (centre at pixel P/2).
 * NOTE: there is no data augmentation (nnU-Net adds rotation, scaling, mirroring and intensity
 * changes), so absolute Dice values are not comparable to nnU-Net results.
 */
export function assembleBatch(
  cases: TrainingCase[],
  centres: PatchCentre[],
  patchSize: number,
  contextSlices: number,
): PatchBatch {
  const channels = 2 * contextSlices + 1;
  const pixels = patchSize * patchSize;
  const images = new Float32Array(centres.length * pixels * channels);
  const labels = new Int32Array(centres.length * pixels);
  centres.forEach((centre, b) => {
    const trainingCase = cases[centre.caseIndex];
    const half = Math.floor(patchSize / 2);
    const window = { z: centre.z, y0: centre.y - half, x0: centre.x - half, height: patchSize, width: patchSize };
    extractImageWindow(trainingCase.image, window, contextSlices, images, b * pixels * channels);
    extractLabelWindow(trainingCase.label, trainingCase.shape, window, labels, b * pixels);
  });
  return { images, labels, caseIndices: centres.map((c) => c.caseIndex) };
}
