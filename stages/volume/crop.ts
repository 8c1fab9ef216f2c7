/** Cropping a volume to a box of voxels while keeping every voxel's world position. */
import { affineSpacing, multiplyAffines } from "./affine.ts";
import type { Volume, VoxelArray } from "./volume.ts";

/** A box of voxels: `start` is the first voxel (i, j, k), `shape` the voxel counts. */
export interface VoxelBox {
  start: [number, number, number];
  shape: [number, number, number];
}

/**
 * Returns the voxels of `box` as a new volume. The affine moves its origin to voxel `start`, so
 * each voxel keeps its world position. Throws when the box is empty or leaves the volume.
 */
export function cropVolume<T extends VoxelArray>(volume: Volume<T>, box: VoxelBox): Volume<T> {
  const { start, shape } = box;
  for (let a = 0; a < 3; a++) {
    if (!(start[a] >= 0 && shape[a] >= 1 && start[a] + shape[a] <= volume.shape[a])) {
      throw new Error(`crop box ${JSON.stringify(box)} does not fit in volume shape ${JSON.stringify(volume.shape)}`);
    }
  }

  const [nx, ny] = volume.shape;
  const [cx, cy, cz] = shape;
  const data = new (volume.data.constructor as { new (length: number): T })(cx * cy * cz);
  let offset = 0;
  for (let k = 0; k < cz; k++) {
    for (let j = 0; j < cy; j++) {
      const rowStart = start[0] + nx * (start[1] + j + ny * (start[2] + k));
      data.set(volume.data.subarray(rowStart, rowStart + cx), offset);
      offset += cx;
    }
  }

  const translation = [1, 0, 0, start[0], 0, 1, 0, start[1], 0, 0, 1, start[2], 0, 0, 0, 1];
  const affine = multiplyAffines(volume.affine, translation);
  return { data, shape: [cx, cy, cz], spacing: affineSpacing(affine), affine };
}
