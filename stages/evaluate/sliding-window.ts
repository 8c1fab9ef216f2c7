/**
 * Full-volume sliding-window inference with a 2D (or 2.5D) slice model.
 *
 * Each axial slice z of an x-fastest volume [nx, ny, nz] is a row-major image of ny rows
 * (y) and nx columns (x). Square tiles of `patchSize` pixels cover the slice with the requested
 * overlap. A tile's input channels are slices z - k .. z + k (k = `contextSlices`), with slice
 * indices clamped at the first and last slice; 2D models have k = 0. Tile pixels beyond the slice
 * take `padValue`. Tiles are read with the train stage's `extractImageWindow`, so inference gets
 * the same layout as training. The softmax of overlapping tiles is summed with per-pixel blending weights
 * (`tiling.ts`), and the label of a voxel is the class with the largest weighted sum.
 */
import * as tf from "@tensorflow/tfjs";
import { extractImageWindow, type SliceWindow } from "../model/slices.ts";
import type { Volume } from "../volume/volume.ts";
import { tileStarts, tileWeights, type Blending } from "./tiling.ts";

/** Anything with a tfjs-layers `predict`: input [batch, patch, patch, 2k + 1], softmax output. */
export interface SliceModel {
  predict(x: tf.Tensor4D): tf.Tensor | tf.Tensor[];
}

export interface SlidingWindowOptions {
  /** Tile height and width in pixels: the training patch size. */
  patchSize: number;
  /** Minimum overlap of neighbouring tiles as a fraction of the patch, in [0, 1). */
  overlap: number;
  /** Neighbouring slices on each side of the centre slice (2.5D input); 0 for 2D. */
  contextSlices: number;
  /** Tiles per `predict` call. */
  batchSize: number;
  blending: Blending;
  /** Intensity of tile pixels outside the slice, in the model's input units. */
  padValue: number;
  /** Called after each finished slice with the fraction of slices done. */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

/**
 * Segments a volume and returns the argmax class of every voxel, x-fastest with the image's
 * shape. Tensors of each batch are disposed before the next batch starts.
 *
 * @param image x-fastest intensities with shape [nx, ny, nz], in the units the model was trained
 *   on. Only `data` and `shape` are read.
 */
export async function segmentVolume(
  model: SliceModel,
  image: Volume<Float32Array>,
  options: SlidingWindowOptions,
): Promise<Uint8Array> {
  validateOptions(options);
  const [nx, ny, nz] = image.shape;
  const patch = options.patchSize;
  const channels = 2 * options.contextSlices + 1;
  const rows = tileStarts(ny, patch, options.overlap);
  const cols = tileStarts(nx, patch, options.overlap);
  const weights = tileWeights(patch, options.blending);

  const labels = new Uint8Array(nx * ny * nz);
  const blender = new SliceBlender(nx, ny, rows.length * cols.length, weights, patch);
  const tileInput = new Float32Array(options.batchSize * patch * patch * channels);
  let batch: SliceWindow[] = [];
  let slicesDone = 0;

  const runBatch = async () => {
    if (options.signal?.aborted) throw new Error("sliding-window inference aborted");
    const probabilities = await predictBatch(model, tileInput, batch.length, patch, channels);
    for (let t = 0; t < batch.length; t++) {
      const finished = blender.add(batch[t], probabilities.values, t, probabilities.classes);
      if (finished) {
        finished.writeLabels(labels, batch[t].z);
        slicesDone++;
        options.onProgress?.(slicesDone / nz);
      }
    }
    batch = [];
  };

  for (let z = 0; z < nz; z++) {
    for (const row of rows) {
      for (const col of cols) {
        const tile = { z, y0: row, x0: col, height: patch, width: patch };
        const offset = batch.length * patch * patch * channels;
        extractImageWindow(image, tile, options.contextSlices, tileInput, offset, options.padValue);
        batch.push(tile);
        if (batch.length === options.batchSize) await runBatch();
      }
    }
  }
  if (batch.length > 0) await runBatch();
  return labels;
}

function validateOptions(options: SlidingWindowOptions): void {
  const { patchSize, contextSlices, batchSize } = options;
  if (!Number.isInteger(patchSize) || patchSize < 1) {
    throw new Error(`patch size must be a positive integer, got ${patchSize}`);
  }
  if (!Number.isInteger(contextSlices) || contextSlices < 0) {
    throw new Error(`context slices must be an integer >= 0, got ${contextSlices}`);
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(`batch size must be a positive integer, got ${batchSize}`);
  }
}

/** Runs the model on the first `count` tiles and returns the softmax values [count, patch, patch, classes]. */
async function predictBatch(
  model: SliceModel,
  tileInput: Float32Array,
  count: number,
  patch: number,
  channels: number,
): Promise<{ values: Float32Array; classes: number }> {
  const input = tileInput.subarray(0, count * patch * patch * channels);
  const output = tf.tidy(() => {
    const result = model.predict(tf.tensor4d(input, [count, patch, patch, channels]));
    return Array.isArray(result) ? result[0] : result;
  });

  try {
    const shape = output.shape;
    if (shape.length !== 4 || shape[0] !== count || shape[1] !== patch || shape[2] !== patch) {
      throw new Error(
        `model output has shape [${shape}], expected [${count}, ${patch}, ${patch}, classes]; ` +
          `the model must map [batch, patch, patch, channels] tiles to per-pixel softmax`,
      );
    }
    const values = (await output.data()) as Float32Array;
    return { values, classes: shape[3] };
  } finally {
    output.dispose();
  }
}

/** Weighted softmax sums of the slices whose tiles are still arriving. */
class SliceBlender {
  private readonly slices = new Map<number, BlendedSlice>();

  constructor(
    private readonly nx: number,
    private readonly ny: number,
    private readonly tilesPerSlice: number,
    private readonly weights: Float32Array,
    private readonly patch: number,
  ) {}

  /** Adds tile `index` of a batch's output; returns the slice once its last tile is in. */
  add(tile: SliceWindow, values: Float32Array, index: number, classes: number): BlendedSlice | null {
    let slice = this.slices.get(tile.z);
    if (!slice) {
      slice = new BlendedSlice(this.nx, this.ny, classes);
      this.slices.set(tile.z, slice);
    }
    slice.addTile(tile, values, index, this.weights, this.patch);

    if (slice.tiles < this.tilesPerSlice) return null;
    this.slices.delete(tile.z);
    return slice;
  }
}

/** Per-pixel, per-class weighted softmax sums of one slice, [ny, nx, classes]. */
class BlendedSlice {
  readonly sums: Float32Array;
  tiles = 0;

  constructor(
    private readonly nx: number,
    private readonly ny: number,
    private readonly classes: number,
  ) {
    this.sums = new Float32Array(nx * ny * classes);
  }

  addTile(tile: SliceWindow, values: Float32Array, index: number, weights: Float32Array, patch: number): void {
    const { nx, ny, classes } = this;
    const tileOffset = index * patch * patch * classes;
    const rows = Math.min(patch, ny - tile.y0);
    const cols = Math.min(patch, nx - tile.x0);

    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const weight = weights[i * patch + j];
        const from = tileOffset + (i * patch + j) * classes;
        const to = ((tile.y0 + i) * nx + tile.x0 + j) * classes;
        for (let c = 0; c < classes; c++) this.sums[to + c] += weight * values[from + c];
      }
    }
    this.tiles++;
  }

  /** Writes the argmax class of each pixel into slice `z` of the x-fastest `labels`. */
  writeLabels(labels: Uint8Array, z: number): void {
    const { nx, ny, classes } = this;
    const sliceOffset = nx * ny * z;
    for (let pixel = 0; pixel < nx * ny; pixel++) {
      let best = 0;
      for (let c = 1; c < classes; c++) {
        if (this.sums[pixel * classes + c] > this.sums[pixel * classes + best]) best = c;
      }
      labels[sliceOffset + pixel] = best;
    }
  }
}
