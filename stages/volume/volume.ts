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
  /**
   * NIfTI transform codes of the file the volume was read from: 1 scanner, 2 aligned,
   * 3 Talairach, 4 MNI, 0 unknown. `writeNifti` keeps codes above 0 and writes 1 otherwise.
   */
  xformCodes?: { sform: number; qform: number };
}
