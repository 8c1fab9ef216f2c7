/**
 * Bounding boxes for the resample stage's `crop` param: the body (the largest connected region
 * above an HU threshold) or a set of label values (the lungs), widened by a margin in mm.
 */
import type { VoxelBox } from "../volume/crop.ts";
import type { Volume } from "../volume/volume.ts";

/** Inclusive voxel bounds along i, j, k. */
interface Bounds {
  min: [number, number, number];
  max: [number, number, number];
}

function emptyBounds(): Bounds {
  return { min: [Infinity, Infinity, Infinity], max: [-Infinity, -Infinity, -Infinity] };
}

function includeVoxel(bounds: Bounds, i: number, j: number, k: number): void {
  if (i < bounds.min[0]) bounds.min[0] = i;
  if (j < bounds.min[1]) bounds.min[1] = j;
  if (k < bounds.min[2]) bounds.min[2] = k;
  if (i > bounds.max[0]) bounds.max[0] = i;
  if (j > bounds.max[1]) bounds.max[1] = j;
  if (k > bounds.max[2]) bounds.max[2] = k;
}

function boundsToBox(bounds: Bounds): VoxelBox {
  return {
    start: [...bounds.min],
    shape: [0, 1, 2].map((a) => bounds.max[a] - bounds.min[a] + 1) as [number, number, number],
  };
}

/** Returns the bounding box of the voxels whose value is in `values`, or null when there are none. */
export function labelBox(labels: Volume, values: ReadonlySet<number>): VoxelBox | null {
  const [nx, ny, nz] = labels.shape;
  const bounds = emptyBounds();
  let index = 0;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, index++) {
        if (values.has(labels.data[index])) includeVoxel(bounds, i, j, k);
      }
    }
  }
  return bounds.max[0] < 0 ? null : boundsToBox(bounds);
}

/**
 * Returns the bounding box of the largest 6-connected region of voxels above `thresholdHu`, or
 * null when no voxel is above it. Keeping only the largest region drops the air-separated parts
 * of the scanner couch and of clothing.
 *
 * NOTE: a couch that touches the skin above the threshold joins the body region and widens the
 * box posteriorly.
 */
export function bodyBox(ct: Volume, thresholdHu: number): VoxelBox | null {
  const [nx, ny, nz] = ct.shape;
  const strideZ = nx * ny;
  // 0: below the threshold, 1: above and not yet visited, 2: visited.
  const state = new Uint8Array(ct.data.length);
  for (let i = 0; i < state.length; i++) state[i] = ct.data[i] > thresholdHu ? 1 : 0;

  let best: { size: number; bounds: Bounds } | null = null;
  const queue = new RingQueue();
  const visit = (neighbour: number) => {
    if (state[neighbour] === 1) {
      state[neighbour] = 2;
      queue.push(neighbour);
    }
  };

  for (let seed = 0; seed < state.length; seed++) {
    if (state[seed] !== 1) continue;

    const bounds = emptyBounds();
    let size = 0;
    state[seed] = 2;
    queue.push(seed);
    while (queue.length > 0) {
      const index = queue.shift();
      const i = index % nx;
      const j = Math.floor(index / nx) % ny;
      const k = Math.floor(index / strideZ);
      includeVoxel(bounds, i, j, k);
      size++;

      if (i > 0) visit(index - 1);
      if (i < nx - 1) visit(index + 1);
      if (j > 0) visit(index - nx);
      if (j < ny - 1) visit(index + nx);
      if (k > 0) visit(index - strideZ);
      if (k < nz - 1) visit(index + strideZ);
    }
    if (!best || size > best.size) best = { size, bounds };
  }
  return best ? boundsToBox(best.bounds) : null;
}

/**
 * Returns `box` widened by `marginMm` on every side (rounded up to whole voxels of `spacing`
 * mm) and clipped to a grid of `gridShape` voxels.
 */
export function expandBox(box: VoxelBox, marginMm: number, spacing: [number, number, number], gridShape: [number, number, number]): VoxelBox {
  const start = [0, 0, 0] as [number, number, number];
  const shape = [0, 0, 0] as [number, number, number];
  for (let a = 0; a < 3; a++) {
    const margin = Math.ceil(marginMm / spacing[a] - 1e-9);
    const first = Math.max(0, box.start[a] - margin);
    const last = Math.min(gridShape[a] - 1, box.start[a] + box.shape[a] - 1 + margin);
    start[a] = first;
    shape[a] = last - first + 1;
  }
  return { start, shape };
}

/** FIFO queue of voxel indices in a growable ring buffer, whose size follows the BFS frontier. */
class RingQueue {
  private buffer = new Int32Array(1 << 16);
  private head = 0;
  length = 0;

  push(value: number): void {
    if (this.length === this.buffer.length) this.grow();
    this.buffer[(this.head + this.length) & (this.buffer.length - 1)] = value;
    this.length++;
  }

  shift(): number {
    const value = this.buffer[this.head];
    this.head = (this.head + 1) & (this.buffer.length - 1);
    this.length--;
    return value;
  }

  private grow(): void {
    const grown = new Int32Array(this.buffer.length * 2);
    for (let n = 0; n < this.length; n++) grown[n] = this.buffer[(this.head + n) & (this.buffer.length - 1)];
    this.buffer = grown;
    this.head = 0;
  }
}
