/**
 * The in-memory volume type shared by the stages.
 *
 * Axes: `data` is stored x-fastest (NIfTI order): index = x + nx * (y + ny * z), so
 * `shape = [nx, ny, nz]`. `affine` maps voxel indices (i, j, k, 1) to world millimetres in
 * the NIfTI RAS+ world frame, as a row-major 4 x 4 matrix (16 numbers).
 */
export type VoxelArray = Uint8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface Volume<T extends VoxelArray = VoxelArray> {
  data: T;
  /** Voxel counts along i, j, k. */
  shape: [number, number, number];
  /** Voxel size in mm along i, j, k (the column norms of the affine's 3 x 3 part). */
  spacing: [number, number, number];
  /** Row-major 4 x 4 voxel-to-world (RAS+ mm) matrix. */
  affine: number[];
}
