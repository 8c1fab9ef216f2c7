/** Builders of synthetic binary masks for the metrics tests. */
import type { BinaryMask } from "../../stages/metrics/mask.ts";

type Shape = [number, number, number];
type Spacing = [number, number, number];

/** Returns a mask whose voxel (x, y, z) is 1 where `inside(x, y, z)` holds. */
export function maskFrom(
  shape: Shape,
  spacing: Spacing,
  inside: (x: number, y: number, z: number) => boolean,
): BinaryMask {
  const [nx, ny, nz] = shape;
  const data = new Uint8Array(nx * ny * nz);
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++) if (inside(x, y, z)) data[x + nx * (y + ny * z)] = 1;
    }
  }
  return { data, shape, spacing };
}

/** Returns an axis-aligned box mask with inclusive voxel ranges `from`..`to`. */
export function boxMask(shape: Shape, spacing: Spacing, from: Shape, to: Shape): BinaryMask {
  return maskFrom(
    shape,
    spacing,
    (x, y, z) => x >= from[0] && x <= to[0] && y >= from[1] && y <= to[1] && z >= from[2] && z <= to[2],
  );
}

/** Returns a sphere mask: voxels whose centre is within `radiusMm` of `centreMm` (mm from voxel 0). */
export function sphereMask(shape: Shape, spacing: Spacing, centreMm: Shape, radiusMm: number): BinaryMask {
  return maskFrom(shape, spacing, (x, y, z) => {
    const dx = x * spacing[0] - centreMm[0];
    const dy = y * spacing[1] - centreMm[1];
    const dz = z * spacing[2] - centreMm[2];
    return dx * dx + dy * dy + dz * dz <= radiusMm * radiusMm;
  });
}

/** Returns a mask with the listed voxels set. */
export function voxelsMask(shape: Shape, spacing: Spacing, voxels: Shape[]): BinaryMask {
  const keys = new Set(voxels.map((v) => v.join(",")));
  return maskFrom(shape, spacing, (x, y, z) => keys.has(`${x},${y},${z}`));
}

/** Returns an empty mask. */
export function emptyMask(shape: Shape, spacing: Spacing): BinaryMask {
  return { data: new Uint8Array(shape[0] * shape[1] * shape[2]), shape, spacing };
}

/** Returns the coordinates in mm of each nonzero voxel, in x-fastest order. */
export function voxelCentresMm(data: Uint8Array, shape: Shape, spacing: Spacing): Shape[] {
  const [nx, ny] = shape;
  const points: Shape[] = [];
  for (let i = 0; i < data.length; i++) {
    if (data[i] === 0) continue;
    const x = i % nx;
    const y = Math.floor(i / nx) % ny;
    const z = Math.floor(i / (nx * ny));
    points.push([x * spacing[0], y * spacing[1], z * spacing[2]]);
  }
  return points;
}

/** Returns the distance from each point of `from` to its nearest point of `to`, by brute force. */
export function bruteForceDistances(from: Shape[], to: Shape[]): Float64Array {
  return Float64Array.from(
    from.map((p) => {
      let best = Infinity;
      for (const q of to) {
        const d = Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
        if (d < best) best = d;
      }
      return best;
    }),
  );
}

/** Returns a deterministic pseudo-random generator (mulberry32) of floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
