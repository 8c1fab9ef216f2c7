/**
 * Voxel axis orientation: axis codes such as "LPS" or "RAS" from an affine, and exact
 * reorientation (axis permutation and flips, no interpolation) to the canonical RAS
 * orientation.
 *
 * segsweep's canonical orientation is RAS+: voxel axis i runs from the patient's left to right,
 * j from posterior to anterior and k from inferior to superior. RAS+ is the NIfTI world frame,
 * so a canonical volume's affine has a 3 x 3 part close to a positive diagonal. The resample
 * stage writes every volume in this orientation.
 */
import { affineSpacing, multiplyAffines, type Affine } from "./affine.ts";
import type { Volume, VoxelArray } from "./volume.ts";

export const CANONICAL_ORIENTATION = "RAS";

/** Direction letters of the positive and negative world x, y and z axes in NIfTI RAS+ mm. */
const POSITIVE_CODES = ["R", "A", "S"];
const NEGATIVE_CODES = ["L", "P", "I"];

/** For each voxel axis: the world axis (0 x, 1 y, 2 z) it is closest to, and the direction. */
export interface AxisOrientation {
  worldAxis: number;
  /** +1 when the voxel index grows along the positive world axis, else -1. */
  sign: number;
}

/**
 * Assigns each voxel axis to the world axis it is most nearly parallel to, largest cosine
 * first, so that an oblique affine still gets three distinct axes.
 */
export function axisOrientations(affine: Affine): [AxisOrientation, AxisOrientation, AxisOrientation] {
  const cosines: number[][] = [0, 1, 2].map((c) => {
    const norm = Math.hypot(affine[c], affine[4 + c], affine[8 + c]) || 1;
    return [0, 1, 2].map((r) => affine[4 * r + c] / norm);
  });

  const result: AxisOrientation[] = [];
  const usedColumns = new Set<number>();
  const usedRows = new Set<number>();
  for (let step = 0; step < 3; step++) {
    let best = { column: -1, row: -1, magnitude: -1 };
    for (let c = 0; c < 3; c++) {
      if (usedColumns.has(c)) continue;
      for (let r = 0; r < 3; r++) {
        const magnitude = Math.abs(cosines[c][r]);
        if (!usedRows.has(r) && magnitude > best.magnitude) best = { column: c, row: r, magnitude };
      }
    }
    usedColumns.add(best.column);
    usedRows.add(best.row);
    result[best.column] = { worldAxis: best.row, sign: cosines[best.column][best.row] < 0 ? -1 : 1 };
  }
  return result as [AxisOrientation, AxisOrientation, AxisOrientation];
}

/** Returns the axis codes of an affine, for example "LPS" for a DICOM-ordered CT. */
export function axisCodes(affine: Affine): string {
  return axisOrientations(affine)
    .map(({ worldAxis, sign }) => (sign > 0 ? POSITIVE_CODES : NEGATIVE_CODES)[worldAxis])
    .join("");
}

/** A voxel grid: its shape and its voxel-to-world affine. */
export interface Grid {
  shape: [number, number, number];
  affine: Affine;
}

/**
 * Returns the RAS grid that covers the same voxels as `grid`, and `indexTransform`, the affine
 * that maps its voxel indices to the indices of `grid`. The canonical grid's affine is
 * `grid.affine * indexTransform`, so every voxel keeps its world position.
 */
export function canonicalGrid(grid: Grid): Grid & { indexTransform: Affine; sourceAxis: number[]; flip: boolean[] } {
  const orientations = axisOrientations(grid.affine);

  // sourceAxis[a] is the axis of `grid` that becomes canonical axis a.
  const sourceAxis = [0, 1, 2].map((a) => orientations.findIndex(({ worldAxis }) => worldAxis === a));
  const flip = sourceAxis.map((c) => orientations[c].sign < 0);
  const shape = sourceAxis.map((c) => grid.shape[c]) as [number, number, number];

  const indexTransform: Affine = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
  sourceAxis.forEach((c, a) => {
    indexTransform[4 * c + a] = flip[a] ? -1 : 1;
    indexTransform[4 * c + 3] = flip[a] ? grid.shape[c] - 1 : 0;
  });

  const affine = multiplyAffines(grid.affine, indexTransform);
  return { shape, affine, indexTransform, sourceAxis, flip };
}

/**
 * Returns the volume with its voxel axes permuted and flipped so that its axis codes are "RAS".
 * Voxel values are copied exactly and every voxel keeps its world position. A volume that is
 * already RAS is returned as it is.
 */
export function reorientToCanonical<T extends VoxelArray>(volume: Volume<T>): Volume<T> {
  const orientations = axisOrientations(volume.affine);
  if (orientations.every(({ worldAxis, sign }, axis) => worldAxis === axis && sign > 0)) return volume;

  const canonical = canonicalGrid(volume);
  const data = permuteVoxels(volume, canonical.sourceAxis, canonical.flip, canonical.shape);
  return { data, shape: canonical.shape, spacing: affineSpacing(canonical.affine), affine: canonical.affine };
}

function permuteVoxels<T extends VoxelArray>(
  volume: Volume<T>,
  sourceAxis: number[],
  flip: boolean[],
  shape: [number, number, number],
): T {
  const [nx, ny] = volume.shape;
  const sourceStrides = [1, nx, nx * ny];
  let base = 0;
  const strides = sourceAxis.map((c, a) => {
    if (flip[a]) base += (volume.shape[c] - 1) * sourceStrides[c];
    return flip[a] ? -sourceStrides[c] : sourceStrides[c];
  });

  const source = volume.data;
  const output = new (source.constructor as { new (length: number): T })(source.length);
  const [ox, oy, oz] = shape;
  const [sx, sy, sz] = strides;
  let outputIndex = 0;
  for (let k = 0; k < oz; k++) {
    for (let j = 0; j < oy; j++) {
      let sourceIndex = base + j * sy + k * sz;
      for (let i = 0; i < ox; i++) {
        output[outputIndex++] = source[sourceIndex];
        sourceIndex += sx;
      }
    }
  }
  return output;
}
