/**
 * Smooth random fields (value noise) for lung parenchyma and tumor texture: random values on a
 * coarse lattice, interpolated with smoothstep weights, so the field varies over about one
 * lattice cell and stays within [-1, 1].
 */
import type { Rng } from "./prng.ts";

export type Field = (x: number, y: number, z: number) => number;

/**
 * Builds a value-noise field over the box `[-halfExtent, +halfExtent]` (mm per axis) with
 * lattice spacing `cellMm`; points outside the box are clamped to its edge.
 */
export function valueNoise(rng: Rng, halfExtent: [number, number, number], cellMm: number): Field {
  const counts = halfExtent.map((half) => Math.ceil((2 * half) / cellMm) + 2) as [number, number, number];
  const lattice = new Float32Array(counts[0] * counts[1] * counts[2]);
  for (let n = 0; n < lattice.length; n++) lattice[n] = rng.uniform(-1, 1);

  const [countX, countY] = counts;
  const at = (i: number, j: number, k: number) => lattice[i + countX * (j + countY * k)];
  const smoothstep = (t: number) => t * t * (3 - 2 * t);
  const latticeCoordinate = (value: number, axis: number) => {
    const u = (value + halfExtent[axis]) / cellMm;
    return Math.min(Math.max(u, 0), counts[axis] - 1.000001);
  };

  // Scalar code without temporary arrays: this runs for every lung voxel of every case.
  return (x, y, z) => {
    const u = latticeCoordinate(x, 0);
    const v = latticeCoordinate(y, 1);
    const w = latticeCoordinate(z, 2);
    const i = Math.floor(u);
    const j = Math.floor(v);
    const k = Math.floor(w);
    const fx = smoothstep(u - i);
    const fy = smoothstep(v - j);
    const fz = smoothstep(w - k);

    const x00 = at(i, j, k) + fx * (at(i + 1, j, k) - at(i, j, k));
    const x10 = at(i, j + 1, k) + fx * (at(i + 1, j + 1, k) - at(i, j + 1, k));
    const x01 = at(i, j, k + 1) + fx * (at(i + 1, j, k + 1) - at(i, j, k + 1));
    const x11 = at(i, j + 1, k + 1) + fx * (at(i + 1, j + 1, k + 1) - at(i, j + 1, k + 1));
    const y0 = x00 + fy * (x10 - x00);
    const y1 = x01 + fy * (x11 - x01);
    return y0 + fz * (y1 - y0);
  };
}
