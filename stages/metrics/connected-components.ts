/** 3D connected-component labelling of binary masks. */

/** Component labels of a mask: 0 is background, components are numbered 1..count. */
export interface Components {
  labels: Int32Array;
  count: number;
  /** Voxel count of each component; index 0 is unused. */
  sizes: Int32Array;
}

/** Voxel neighbourhood: 6 shares a face, 26 shares a face, an edge or a corner. */
export type Connectivity = 6 | 26;

/**
 * Labels the connected components of the nonzero voxels by breadth-first flood fill.
 * Components are numbered in x-fastest order of their first voxel.
 *
 * @param mask x-fastest array with shape `[nx, ny, nz]`.
 */
export function labelComponents(
  mask: Uint8Array,
  shape: [number, number, number],
  connectivity: Connectivity = 26,
): Components {
  const [nx, ny, nz] = shape;
  const labels = new Int32Array(mask.length);
  const queue = new Int32Array(mask.length);
  const offsets = neighbourOffsets(connectivity);
  const sizes: number[] = [0];
  let count = 0;

  for (let seed = 0; seed < mask.length; seed++) {
    if (mask[seed] === 0 || labels[seed] !== 0) continue;
    count++;
    labels[seed] = count;
    let head = 0;
    let tail = 0;
    queue[tail++] = seed;

    while (head < tail) {
      const i = queue[head++];
      const x = i % nx;
      const y = Math.floor(i / nx) % ny;
      const z = Math.floor(i / (nx * ny));
      for (const [dx, dy, dz] of offsets) {
        const xn = x + dx;
        const yn = y + dy;
        const zn = z + dz;
        if (xn < 0 || yn < 0 || zn < 0 || xn >= nx || yn >= ny || zn >= nz) continue;
        const j = xn + nx * (yn + ny * zn);
        if (mask[j] === 0 || labels[j] !== 0) continue;
        labels[j] = count;
        queue[tail++] = j;
      }
    }
    sizes.push(tail);
  }

  return { labels, count, sizes: Int32Array.from(sizes) };
}

function neighbourOffsets(connectivity: Connectivity): [number, number, number][] {
  const offsets: [number, number, number][] = [];
  for (let dz = -1; dz <= 1; dz++) {
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const steps = Math.abs(dx) + Math.abs(dy) + Math.abs(dz);
        if (steps === 0) continue;
        if (connectivity === 6 && steps > 1) continue;
        offsets.push([dx, dy, dz]);
      }
    }
  }
  return offsets;
}
