/**
 * Inner loops of `resampleToGrid`. The separable kernels read per-axis tables of source offsets
 * and weights, so that each output voxel costs 8 reads (linear) or 1 read (nearest) and no
 * coordinate arithmetic. The general kernel steps the source position by one column of the
 * index map per voxel, which handles rotations between the grids.
 */
import type { VoxelArray } from "./volume.ts";

/**
 * Source positions along one output axis, for a map in which each output axis moves along
 * exactly one source axis. Offsets are already multiplied by the source axis stride.
 */
export interface AxisTable {
  /** Source element offset of the lower neighbour (linear) or the nearest voxel (nearest). */
  lower: Int32Array;
  /** Source element offset of the upper neighbour; equal to `lower` at the last voxel. */
  upper: Int32Array;
  /** Weight of the upper neighbour in [0, 1]. */
  weight: Float64Array;
  /** 0 where the position lies more than half a voxel outside the source volume. */
  inside: Uint8Array;
}

/**
 * Builds the table for output indices 0..count-1 at source index `scale * i + offset` on a
 * source axis of `size` voxels with element stride `stride`. Positions within half a voxel
 * outside the source take the edge voxel; positions farther out are marked outside.
 */
export function buildAxisTable(count: number, scale: number, offset: number, size: number, stride: number, nearest: boolean): AxisTable {
  const table: AxisTable = {
    lower: new Int32Array(count),
    upper: new Int32Array(count),
    weight: new Float64Array(count),
    inside: new Uint8Array(count),
  };
  const edgeTolerance = 1e-6;

  for (let i = 0; i < count; i++) {
    const position = scale * i + offset;
    table.inside[i] = position >= -0.5 - edgeTolerance && position <= size - 0.5 + edgeTolerance ? 1 : 0;
    const clamped = Math.min(Math.max(position, 0), size - 1);

    if (nearest) {
      const index = Math.min(Math.floor(clamped + 0.5), size - 1);
      table.lower[i] = index * stride;
      table.upper[i] = index * stride;
      continue;
    }

    const lower = Math.min(Math.floor(clamped), size - 1);
    const upper = Math.min(lower + 1, size - 1);
    table.lower[i] = lower * stride;
    table.upper[i] = upper * stride;
    table.weight[i] = upper === lower ? 0 : clamped - lower;
  }
  return table;
}

/** Fills `output` (x fastest) by trilinear interpolation from the three axis tables. */
export function linearSeparable(source: VoxelArray, output: VoxelArray, tables: [AxisTable, AxisTable, AxisTable], fill: number): void {
  const [tx, ty, tz] = tables;
  const nx = tx.lower.length;
  const ny = ty.lower.length;
  const nz = tz.lower.length;
  let o = 0;

  for (let k = 0; k < nz; k++) {
    const z0 = tz.lower[k];
    const z1 = tz.upper[k];
    const wz = tz.weight[k];
    for (let j = 0; j < ny; j++) {
      if (!tz.inside[k] || !ty.inside[j]) {
        output.fill(fill, o, o + nx);
        o += nx;
        continue;
      }

      const y0 = ty.lower[j];
      const y1 = ty.upper[j];
      const wy = ty.weight[j];
      const b00 = z0 + y0;
      const b01 = z0 + y1;
      const b10 = z1 + y0;
      const b11 = z1 + y1;
      const w00 = (1 - wz) * (1 - wy);
      const w01 = (1 - wz) * wy;
      const w10 = wz * (1 - wy);
      const w11 = wz * wy;

      for (let i = 0; i < nx; i++) {
        if (!tx.inside[i]) {
          output[o++] = fill;
          continue;
        }
        const x0 = tx.lower[i];
        const x1 = tx.upper[i];
        const lowerValue = source[b00 + x0] * w00 + source[b01 + x0] * w01 + source[b10 + x0] * w10 + source[b11 + x0] * w11;
        const upperValue = source[b00 + x1] * w00 + source[b01 + x1] * w01 + source[b10 + x1] * w10 + source[b11 + x1] * w11;
        output[o++] = lowerValue + (upperValue - lowerValue) * tx.weight[i];
      }
    }
  }
}

/** Fills `output` (x fastest) with the nearest source voxel from the three axis tables. */
export function nearestSeparable(source: VoxelArray, output: VoxelArray, tables: [AxisTable, AxisTable, AxisTable], fill: number): void {
  const [tx, ty, tz] = tables;
  const nx = tx.lower.length;
  const ny = ty.lower.length;
  const nz = tz.lower.length;
  let o = 0;

  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      if (!tz.inside[k] || !ty.inside[j]) {
        output.fill(fill, o, o + nx);
        o += nx;
        continue;
      }
      const base = tz.lower[k] + ty.lower[j];
      for (let i = 0; i < nx; i++) {
        output[o++] = tx.inside[i] ? source[base + tx.lower[i]] : fill;
      }
    }
  }
}

/**
 * Fills `output` for any affine index map `indexMap` (row-major 4 x 4, output voxel to source
 * voxel index), stepping the source position incrementally along x.
 */
export function resampleGeneral(
  source: VoxelArray,
  sourceShape: [number, number, number],
  output: VoxelArray,
  outputShape: [number, number, number],
  indexMap: number[],
  nearest: boolean,
  fill: number,
): void {
  const [sx, sy, sz] = sourceShape;
  const [nx, ny, nz] = outputShape;
  const strideY = sx;
  const strideZ = sx * sy;
  const limit = [sx - 0.5 + 1e-6, sy - 0.5 + 1e-6, sz - 0.5 + 1e-6];
  const [stepX, stepY, stepZ] = [indexMap[0], indexMap[4], indexMap[8]];
  let o = 0;

  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      let px = indexMap[1] * j + indexMap[2] * k + indexMap[3];
      let py = indexMap[5] * j + indexMap[6] * k + indexMap[7];
      let pz = indexMap[9] * j + indexMap[10] * k + indexMap[11];

      for (let i = 0; i < nx; i++, px += stepX, py += stepY, pz += stepZ) {
        if (px < -0.5 - 1e-6 || py < -0.5 - 1e-6 || pz < -0.5 - 1e-6 || px > limit[0] || py > limit[1] || pz > limit[2]) {
          output[o++] = fill;
          continue;
        }
        const cx = Math.min(Math.max(px, 0), sx - 1);
        const cy = Math.min(Math.max(py, 0), sy - 1);
        const cz = Math.min(Math.max(pz, 0), sz - 1);

        if (nearest) {
          const ix = Math.min(Math.floor(cx + 0.5), sx - 1);
          const iy = Math.min(Math.floor(cy + 0.5), sy - 1);
          const iz = Math.min(Math.floor(cz + 0.5), sz - 1);
          output[o++] = source[ix + strideY * iy + strideZ * iz];
          continue;
        }
        output[o++] = trilinearAt(source, cx, cy, cz, sourceShape);
      }
    }
  }
}

/** Interpolates at a source position already clamped to [0, size - 1] on each axis. */
function trilinearAt(source: VoxelArray, x: number, y: number, z: number, shape: [number, number, number]): number {
  const [sx, sy, sz] = shape;
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const z0 = Math.floor(z);
  const x1 = Math.min(x0 + 1, sx - 1);
  const y1 = Math.min(y0 + 1, sy - 1);
  const z1 = Math.min(z0 + 1, sz - 1);
  const wx = x - x0;
  const wy = y - y0;
  const wz = z - z0;

  const strideZ = sx * sy;
  const at = (i: number, j: number, k: number) => source[i + sx * j + strideZ * k];
  const lowerZ = (at(x0, y0, z0) * (1 - wx) + at(x1, y0, z0) * wx) * (1 - wy) + (at(x0, y1, z0) * (1 - wx) + at(x1, y1, z0) * wx) * wy;
  const upperZ = (at(x0, y0, z1) * (1 - wx) + at(x1, y0, z1) * wx) * (1 - wy) + (at(x0, y1, z1) * (1 - wx) + at(x1, y1, z1) * wx) * wy;
  return lowerZ * (1 - wz) + upperZ * wz;
}
