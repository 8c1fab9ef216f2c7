/** Surfaces of binary masks as boundary voxels. */

/**
 * Returns a mask of the boundary voxels: voxels of `mask` with at least one of their six face
 * neighbours outside it. Voxels beyond the array count as outside, so a mask voxel on the array
 * border is a boundary voxel.
 *
 * @param mask x-fastest array with shape `[nx, ny, nz]`.
 */
export function boundaryVoxels(mask: Uint8Array, shape: [number, number, number]): Uint8Array {
  const [nx, ny, nz] = shape;
  const sliceSize = nx * ny;
  const boundary = new Uint8Array(mask.length);

  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++) {
        const i = x + nx * y + sliceSize * z;
        if (mask[i] === 0) continue;
        const interior =
          x > 0 && mask[i - 1] !== 0 &&
          x < nx - 1 && mask[i + 1] !== 0 &&
          y > 0 && mask[i - nx] !== 0 &&
          y < ny - 1 && mask[i + nx] !== 0 &&
          z > 0 && mask[i - sliceSize] !== 0 &&
          z < nz - 1 && mask[i + sliceSize] !== 0;
        if (!interior) boundary[i] = 1;
      }
    }
  }
  return boundary;
}
