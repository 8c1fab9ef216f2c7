/**
 * Resampling of volumes between voxel grids through world coordinates.
 *
 * `resampleToGrid` is the general operation: every output voxel centre is mapped to world mm by
 * the output affine and back into the source voxel grid, then interpolated. `resampleToSpacing`
 * builds the canonical RAS grid with a new voxel size that covers the same field of view and
 * resamples onto it in one pass.
 */
import { affineSpacing, invertAffine, multiplyAffines, type Affine } from "./affine.ts";
import { canonicalGrid, type Grid } from "./orientation.ts";
import {
  buildAxisTable,
  linearSeparable,
  nearestSeparable,
  resampleGeneral,
  type AxisTable,
} from "./resample-kernels.ts";
import type { Volume, VoxelArray } from "./volume.ts";

/** "linear": trilinear, for intensities such as CT in HU. "nearest": for label maps. */
export type InterpolationMode = "linear" | "nearest";

export interface ResampleOptions {
  /**
   * Value of output voxels whose centre lies more than half a source voxel outside the source
   * volume. Default 0 (background for labels). Use -1024 (air in HU) for CT.
   */
  fill?: number;
}

/** Largest drift in source voxels that the separable path may ignore over the output extent. */
const SEPARABLE_TOLERANCE_VOXELS = 1e-3;

/**
 * Resamples `volume` onto the grid given by `shape` and `affine` (row-major 4 x 4, voxel to
 * RAS+ mm), so that output voxel (i, j, k) gets the source value at world position
 * `affine * (i, j, k, 1)`.
 *
 * - `linear` returns Float32Array data and `nearest` keeps the source array type, so label
 *   values stay exactly the source's values.
 * - Output voxels within half a source voxel of the source volume take the edge value. Those
 *   farther outside get `options.fill`.
 * - When each output axis runs along one source axis (permutations, flips, scalings and shifts,
 *   such as between an original CT grid and its resampled RAS grid), the work uses per-axis
 *   offset and weight tables. Rotated grids take a slower path that steps source positions
 *   voxel by voxel.
 *
 * The evaluate stage uses this to bring predictions from the resampled grid back onto each
 * case's original grid (`original.shape` and `original.affine` in the resample stage's
 * cases.json), with mode `nearest`.
 */
export function resampleToGrid(
  volume: Volume,
  shape: [number, number, number],
  affine: Affine,
  mode: InterpolationMode,
  options: ResampleOptions = {},
): Volume {
  const fill = options.fill ?? 0;
  const voxelCount = shape[0] * shape[1] * shape[2];
  const output: VoxelArray =
    mode === "linear" ? new Float32Array(voxelCount) : new (volume.data.constructor as { new (n: number): VoxelArray })(voxelCount);

  // indexMap takes output voxel indices to source voxel indices.
  const indexMap = multiplyAffines(invertAffine(volume.affine), affine);
  const tables = separableTables(indexMap, volume.shape, shape, mode === "nearest");
  if (tables) {
    if (mode === "linear") linearSeparable(volume.data, output, tables, fill);
    else nearestSeparable(volume.data, output, tables, fill);
  } else {
    resampleGeneral(volume.data, volume.shape, output, shape, indexMap, mode === "nearest", fill);
  }

  return { data: output, shape: [...shape], spacing: affineSpacing(affine), affine: [...affine] };
}

/**
 * Returns per-axis tables when every output axis moves along a single source axis (to within
 * `SEPARABLE_TOLERANCE_VOXELS` over the output extent), else null.
 */
function separableTables(
  indexMap: Affine,
  sourceShape: [number, number, number],
  outputShape: [number, number, number],
  nearest: boolean,
): [AxisTable, AxisTable, AxisTable] | null {
  const sourceStrides = [1, sourceShape[0], sourceShape[0] * sourceShape[1]];
  const usedSourceAxes = new Set<number>();
  const tables: AxisTable[] = [];

  for (let a = 0; a < 3; a++) {
    const column = [indexMap[a], indexMap[4 + a], indexMap[8 + a]];
    const sourceAxis = column.reduce((best, value, r) => (Math.abs(value) > Math.abs(column[best]) ? r : best), 0);
    const span = Math.max(outputShape[a] - 1, 1);
    const drift = column.some((value, r) => r !== sourceAxis && Math.abs(value) * span > SEPARABLE_TOLERANCE_VOXELS);
    if (drift || usedSourceAxes.has(sourceAxis)) return null;
    usedSourceAxes.add(sourceAxis);

    tables.push(
      buildAxisTable(
        outputShape[a],
        column[sourceAxis],
        indexMap[4 * sourceAxis + 3],
        sourceShape[sourceAxis],
        sourceStrides[sourceAxis],
        nearest,
      ),
    );
  }
  return tables as [AxisTable, AxisTable, AxisTable];
}

/**
 * Returns the RAS grid with voxel size `spacingMm` (mm along i, j, k) that covers the same field
 * of view as `grid`: the box from the first voxel's outer faces to the last voxel's.
 *
 * Each axis gets `round(n * spacing / spacingMm)` voxels (at least 1), centred on the centre of
 * the original field of view, so a rounded voxel count moves both ends by the same amount.
 * Directions stay those of the canonical (axis-permuted and flipped) source grid, so an oblique
 * scan stays oblique and no rotation is interpolated.
 */
export function gridForSpacing(grid: Grid, spacingMm: [number, number, number]): Grid {
  const canonical = canonicalGrid(grid);
  const canonicalSpacing = affineSpacing(canonical.affine);
  const scaling: Affine = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
  const shape = [0, 0, 0] as [number, number, number];

  for (let a = 0; a < 3; a++) {
    if (!(spacingMm[a] > 0)) throw new Error(`invalid target spacing ${JSON.stringify(spacingMm)} mm; each value must be > 0`);
    const sourceCount = canonical.shape[a];
    const ratio = spacingMm[a] / canonicalSpacing[a];
    shape[a] = Math.max(1, Math.round(sourceCount / ratio));

    // Canonical index = ratio * (i - (n' - 1) / 2) + (n - 1) / 2 keeps the centre fixed.
    scaling[5 * a] = ratio;
    scaling[4 * a + 3] = (sourceCount - 1) / 2 - (ratio * (shape[a] - 1)) / 2;
  }
  return { shape, affine: multiplyAffines(canonical.affine, scaling) };
}

/**
 * Resamples `volume` to the RAS grid of `gridForSpacing` with voxel size `spacingMm`, in one
 * interpolation pass (reorientation included).
 */
export function resampleToSpacing(
  volume: Volume,
  spacingMm: [number, number, number],
  mode: InterpolationMode,
  options: ResampleOptions = {},
): Volume {
  const target = gridForSpacing(volume, spacingMm);
  return resampleToGrid(volume, target.shape, target.affine, mode, options);
}
