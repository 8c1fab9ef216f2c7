/**
 * Slice-wise prediction of a whole volume with a 2D U-Net.
 */
import * as tf from "@tensorflow/tfjs";
import type { Volume } from "../volume/volume.ts";
import { extractImageWindow } from "./slices.ts";

export interface PredictOptions {
  /** Neighbouring slices on each side used as channels (2.5D); must match training. */
  contextSlices: number;
  /** Slice height and width are padded up to a multiple of this (2^depth of the U-Net). */
  sizeMultiple: number;
  /** Axial slices per forward pass. */
  batchSize?: number;
}

/**
 * Predicts every axial slice of `image` (float32, shape [nx, ny, nz]) and returns the argmax
 * class per voxel in the volume's x-fastest order. Each slice is padded with 0 at its high-y and
 * high-x edges up to `sizeMultiple`, and the padding is cropped from the prediction.
 */
export function predictLabelVolume(model: tf.LayersModel, image: Volume<Float32Array>, options: PredictOptions): Uint8Array {
  const [nx, ny, nz] = image.shape;
  const height = roundUp(ny, options.sizeMultiple);
  const width = roundUp(nx, options.sizeMultiple);
  const channels = 2 * options.contextSlices + 1;
  const batchSize = options.batchSize ?? 4;
  const result = new Uint8Array(nx * ny * nz);

  for (let first = 0; first < nz; first += batchSize) {
    const count = Math.min(batchSize, nz - first);
    const input = new Float32Array(count * height * width * channels);
    for (let b = 0; b < count; b++) {
      const window = { z: first + b, y0: 0, x0: 0, height, width };
      extractImageWindow(image, window, options.contextSlices, input, b * height * width * channels);
    }

    const classes = tf.tidy(() => {
      const probabilities = model.predict(tf.tensor4d(input, [count, height, width, channels])) as tf.Tensor4D;
      return tf.argMax(probabilities, -1);
    });
    const values = classes.dataSync();
    classes.dispose();

    for (let b = 0; b < count; b++) {
      const z = first + b;
      for (let y = 0; y < ny; y++) {
        for (let x = 0; x < nx; x++) {
          result[x + nx * (y + ny * z)] = values[(b * height + y) * width + x];
        }
      }
    }
  }
  return result;
}

function roundUp(value: number, multiple: number): number {
  return Math.ceil(value / multiple) * multiple;
}
