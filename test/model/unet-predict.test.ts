import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { predictLabelVolume } from "../../stages/model/predict.ts";
import { buildUNet } from "../../stages/model/unet.ts";
import type { Volume } from "../../stages/volume/volume.ts";

before(async () => {
  await tf.setBackend("cpu");
});

test("volume prediction pads and crops slices", () => {
  const model = buildUNet({ numClasses: 3, depth: 2, baseFilters: 2, inputChannels: 3, seed: 5 });
  const [nx, ny, nz] = [10, 6, 3];
  const data = Float32Array.from({ length: nx * ny * nz }, (_, i) => ((i * 37) % 101) / 100);
  const image: Volume<Float32Array> = { data, shape: [nx, ny, nz], spacing: [1, 1, 1], affine: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1] };

  const predicted = predictLabelVolume(model, image, { contextSlices: 1, sizeMultiple: 4, batchSize: 2 });
  assert.equal(predicted.length, nx * ny * nz);

  // Reference for slice z = 0: channels z-1, z, z+1 clamp to slices 0, 0, 1; padded to 8 x 12.
  const padded = new Float32Array(8 * 12 * 3);
  for (let y = 0; y < ny; y++) {
    for (let x = 0; x < nx; x++) {
      [0, 0, 1].forEach((z, c) => {
        padded[(y * 12 + x) * 3 + c] = data[x + nx * (y + ny * z)];
      });
    }
  }
  const reference = tf.tidy(() => tf.argMax(model.predict(tf.tensor4d(padded, [1, 8, 12, 3])) as tf.Tensor, -1).dataSync());
  for (let y = 0; y < ny; y++) {
    for (let x = 0; x < nx; x++) {
      assert.equal(predicted[x + nx * y], reference[y * 12 + x], `pixel x=${x}, y=${y}`);
    }
  }
  model.dispose();
});

test("volume prediction frees its tensors", () => {
  const model = buildUNet({ numClasses: 2, depth: 1, baseFilters: 2 });
  const image: Volume<Float32Array> = { data: new Float32Array(8 * 8 * 5), shape: [8, 8, 5], spacing: [1, 1, 1], affine: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1] };
  const before = tf.memory().numTensors;
  predictLabelVolume(model, image, { contextSlices: 0, sizeMultiple: 2, batchSize: 2 });
  assert.equal(tf.memory().numTensors, before);
  model.dispose();
});
