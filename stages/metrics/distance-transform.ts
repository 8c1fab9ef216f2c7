/**
 * Exact Euclidean distance transform in mm with per-axis spacing.
 *
 * Separable algorithm of Felzenszwalb and Huttenlocher ("Distance Transforms of Sampled
 * Functions", Theory of Computing 8, 2012): a 1D lower envelope of parabolas along x, then
 * along y, then along z. Each pass is linear in the number of voxels, and the result is exact
 * for any spacing because the squared distance separates over the axes.
 */

/**
 * Returns, for every voxel, the squared distance in mm^2 to the nearest nonzero voxel of
 * `features`, or Infinity when `features` has no nonzero voxel.
 *
 * @param features x-fastest array with shape `[nx, ny, nz]`; nonzero voxels are the feature set.
 * @param spacing voxel size in mm along x, y, z.
 */
export function squaredDistanceTransform(
  features: Uint8Array,
  shape: [number, number, number],
  spacing: [number, number, number],
): Float64Array {
  const [nx, ny, nz] = shape;
  const distances = new Float64Array(nx * ny * nz);
  for (let i = 0; i < features.length; i++) distances[i] = features[i] !== 0 ? 0 : Infinity;

  const longest = Math.max(nx, ny, nz);
  const line = new Float64Array(longest);
  const scratch = new EnvelopeScratch(longest);

  // Lines along x start at every (y, z); along y at every (x, z); along z at every (x, y).
  const passes: { length: number; stride: number; starts: () => Iterable<number> }[] = [
    { length: nx, stride: 1, starts: () => lineStarts(ny, nz, nx, nx * ny) },
    { length: ny, stride: nx, starts: () => lineStarts(nx, nz, 1, nx * ny) },
    { length: nz, stride: nx * ny, starts: () => lineStarts(nx, ny, 1, nx) },
  ];

  passes.forEach((pass, axis) => {
    for (const start of pass.starts()) {
      for (let i = 0; i < pass.length; i++) line[i] = distances[start + i * pass.stride];
      transformLine(line, pass.length, spacing[axis], scratch);
      for (let i = 0; i < pass.length; i++) distances[start + i * pass.stride] = scratch.output[i];
    }
  });
  return distances;
}

/** Yields the flat index of each line's first voxel over a grid of `countA` x `countB` lines. */
function* lineStarts(countA: number, countB: number, strideA: number, strideB: number): Iterable<number> {
  for (let b = 0; b < countB; b++) {
    for (let a = 0; a < countA; a++) yield a * strideA + b * strideB;
  }
}

/** Work arrays of one 1D transform, allocated once per volume. */
class EnvelopeScratch {
  /** Sample indices of the parabolas in the lower envelope. */
  vertices: Int32Array;
  /** Boundaries between envelope parabolas, in mm along the line. */
  boundaries: Float64Array;
  output: Float64Array;

  constructor(length: number) {
    this.vertices = new Int32Array(length);
    this.boundaries = new Float64Array(length + 1);
    this.output = new Float64Array(length);
  }
}

/**
 * Computes output[q] = min over p of (spacing * (q - p))^2 + f[p] into `scratch.output`.
 * Samples with f[p] = Infinity add no parabola; a line without finite samples stays Infinity.
 */
function transformLine(f: Float64Array, length: number, spacing: number, scratch: EnvelopeScratch): void {
  const { vertices, boundaries, output } = scratch;
  let k = -1;

  for (let p = 0; p < length; p++) {
    if (f[p] === Infinity) continue;
    const position = p * spacing;
    const height = f[p] + position * position;
    let crossing = -Infinity;

    while (k >= 0) {
      const v = vertices[k];
      const vPosition = v * spacing;
      crossing = (height - (f[v] + vPosition * vPosition)) / (2 * (position - vPosition));
      if (crossing > boundaries[k]) break;
      k--;
    }

    k++;
    vertices[k] = p;
    boundaries[k] = k === 0 ? -Infinity : crossing;
    boundaries[k + 1] = Infinity;
  }

  if (k < 0) {
    output.fill(Infinity, 0, length);
    return;
  }

  let j = 0;
  for (let q = 0; q < length; q++) {
    const position = q * spacing;
    while (boundaries[j + 1] < position) j++;
    const offset = position - vertices[j] * spacing;
    output[q] = offset * offset + f[vertices[j]];
  }
}
