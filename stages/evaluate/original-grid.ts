/** Mapping a predicted tumour mask from the model's grid back to the reference (original) grid. */
import { resampleToGrid } from "../volume/resample.ts";
import type { Volume } from "../volume/volume.ts";

/**
 * Returns the tumour mask on the target grid: the indicator of `tumorClass` in `labels`
 * (1 inside, 0 outside), resampled with linear interpolation through world coordinates and
 * thresholded at 0.5. Linear interpolation of the indicator gives smoother boundaries than
 * nearest-neighbour lookup when the target grid is finer, and still equals it where the target
 * voxel centres fall on source voxel centres.
 *
 * @param labels x-fastest argmax classes on the model grid, with that grid's shape and affine.
 * @param targetShape voxel counts [nx, ny, nz] of the reference grid.
 * @param targetAffine row-major 4 x 4 voxel-to-world (RAS+ mm) matrix of the reference grid.
 */
export function tumorMaskOnGrid(
  labels: Volume<Uint8Array>,
  tumorClass: number,
  targetShape: [number, number, number],
  targetAffine: number[],
): Uint8Array {
  const indicator = new Float32Array(labels.data.length);
  for (let i = 0; i < indicator.length; i++) indicator[i] = labels.data[i] === tumorClass ? 1 : 0;

  const source: Volume<Float32Array> = { ...labels, data: indicator };
  const resampled = resampleToGrid(source, targetShape, targetAffine, "linear");

  const mask = new Uint8Array(resampled.data.length);
  for (let i = 0; i < mask.length; i++) mask[i] = resampled.data[i] >= 0.5 ? 1 : 0;
  return mask;
}
