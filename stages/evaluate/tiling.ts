/** Tile positions and blending weights for sliding-window inference over 2D slices. */

/** Weighting of overlapping tile softmax outputs when they are averaged. */
export type Blending = "gaussian" | "uniform";

/**
 * Returns the start indices of tiles of `patch` pixels along an axis of `length` pixels.
 * The tiles cover the axis, the first starts at 0 and the last ends at `length`, and
 * neighbouring tiles overlap by at least `overlap` (a fraction in [0, 1)) of the patch. An axis
 * shorter than the patch gets one tile at 0 that the caller pads.
 */
export function tileStarts(length: number, patch: number, overlap: number): number[] {
  if (!(overlap >= 0 && overlap < 1)) {
    throw new Error(`tile overlap must be a fraction in [0, 1), got ${overlap}`);
  }
  if (length <= patch) return [0];

  const targetStep = patch * (1 - overlap);
  const steps = Math.ceil((length - patch) / targetStep) + 1;
  const step = (length - patch) / (steps - 1);
  const starts: number[] = [];
  for (let i = 0; i < steps; i++) starts.push(Math.round(i * step));
  return starts;
}

/**
 * Returns the per-pixel weights of one tile, row-major [patch, patch].
 *
 * "gaussian" weights fall off from the tile centre with sigma = patch / 8, because pixels near a
 * tile border see less context and are predicted less reliably; nnU-Net v2's `compute_gaussian`
 * uses the same sigma by default. The weights are kept at or above 1e-6 so that every pixel of
 * the image has a positive weight sum. "uniform" weights are all 1 (plain averaging).
 */
export function tileWeights(patch: number, blending: Blending): Float32Array {
  const weights = new Float32Array(patch * patch);
  if (blending === "uniform") return weights.fill(1);

  const centre = (patch - 1) / 2;
  const sigma = patch / 8;
  for (let row = 0; row < patch; row++) {
    for (let col = 0; col < patch; col++) {
      const squared = (row - centre) ** 2 + (col - centre) ** 2;
      weights[row * patch + col] = Math.max(Math.exp(-squared / (2 * sigma * sigma)), 1e-6);
    }
  }
  return weights;
}
