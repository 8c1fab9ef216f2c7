import assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { segmentVolume, type SliceModel, type SlidingWindowOptions } from "../../stages/evaluate/sliding-window.ts";
import { tileStarts, tileWeights } from "../../stages/evaluate/tiling.ts";
import { predictLabelVolume } from "../../stages/model/predict.ts";
import { buildUNet } from "../../stages/model/unet.ts";
import type { Volume } from "../../stages/volume/volume.ts";

type Shape = [number, number, number];

/** Returns a two-class model that predicts class 1 where input channel `channel` is above 0.5. */
function thresholdModel(channel: number): SliceModel {
  return {
    predict(x: tf.Tensor4D) {
      return tf.tidy(() => {
        const [batch, height, width, channels] = x.shape;
        const selected = x.slice([0, 0, 0, channel], [batch, height, width, 1]);
        const foreground = tf.sigmoid(selected.sub(0.5).mul(20));
        assert.ok(channel < channels);
        return tf.concat([tf.sub(1, foreground), foreground], 3);
      });
    },
  };
}

function randomImage(shape: Shape, seed: number): Float32Array {
  const data = new Float32Array(shape[0] * shape[1] * shape[2]);
  let state = seed;
  for (let i = 0; i < data.length; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    data[i] = (state / 2147483648) * 0.8 + (i % 7 === 0 ? 0.2 : 0);
  }
  return data;
}

/** Wraps x-fastest data as a volume with unit spacing; the sliding window reads data and shape. */
function volumeOf(data: Float32Array, shape: Shape): Volume<Float32Array> {
  return { data, shape, spacing: [1, 1, 1], affine: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1] };
}

const baseOptions: SlidingWindowOptions = {
  patchSize: 16,
  overlap: 0.5,
  contextSlices: 0,
  batchSize: 3,
  blending: "gaussian",
  padValue: 0,
};

test("tile starts cover the axis", () => {
  assert.deepEqual(tileStarts(10, 16, 0.5), [0]);
  assert.deepEqual(tileStarts(16, 16, 0.5), [0]);
  assert.deepEqual(tileStarts(40, 16, 0.5), [0, 8, 16, 24]);
  assert.deepEqual(tileStarts(41, 16, 0.5), [0, 6, 13, 19, 25]);
  assert.deepEqual(tileStarts(40, 16, 0), [0, 12, 24]);
  assert.throws(() => tileStarts(40, 16, 1), /overlap/);
});

test("tile starts keep the requested overlap", () => {
  for (const length of [17, 33, 100, 257]) {
    for (const overlap of [0, 0.25, 0.5, 0.75]) {
      const starts = tileStarts(length, 16, overlap);
      assert.equal(starts[0], 0);
      assert.equal(starts[starts.length - 1] + 16, length);
      for (let i = 1; i < starts.length; i++) {
        assert.ok(starts[i] - starts[i - 1] <= Math.round(16 * (1 - overlap)) + 1, `length ${length}, overlap ${overlap}`);
      }
    }
  }
});

test("gaussian tile weights peak at the centre", () => {
  const weights = tileWeights(16, "gaussian");

  const centre = weights[7 * 16 + 7];
  assert.equal(Math.max(...weights), centre);
  assert.equal(weights[8 * 16 + 8], centre);
  assert.ok(weights[7 * 16 + 3] < centre);
  assert.ok(weights[0] > 0);
  assert.ok(weights[0] < 1e-3);
  assert.ok(tileWeights(16, "uniform").every((w) => w === 1));
});

test("sliding window reproduces a pixelwise model", async () => {
  const shape: Shape = [37, 23, 5];
  const data = randomImage(shape, 3);
  const expected = Uint8Array.from(data, (v) => (v > 0.5 ? 1 : 0));
  const tensorsBefore = tf.memory().numTensors;

  for (const blending of ["gaussian", "uniform"] as const) {
    const labels = await segmentVolume(thresholdModel(0), volumeOf(data, shape), { ...baseOptions, blending });

    assert.equal(labels.length, expected.length);
    assert.deepEqual(labels, expected, `blending ${blending}`);
  }
  assert.equal(tf.memory().numTensors, tensorsBefore);
});

test("sliding window pads slices smaller than the patch", async () => {
  const shape: Shape = [9, 6, 2];
  const data = randomImage(shape, 5);

  const labels = await segmentVolume(thresholdModel(0), volumeOf(data, shape), { ...baseOptions, padValue: 1 });

  assert.deepEqual(labels, Uint8Array.from(data, (v) => (v > 0.5 ? 1 : 0)));
});

test("context slices are clamped at the volume ends", async () => {
  const shape: Shape = [20, 18, 6];
  const data = randomImage(shape, 11);
  const sliceSize = 20 * 18;
  // The model looks at the last channel, slice z + 2, which is clamped to slice 5 near the end.
  const labels = await segmentVolume(thresholdModel(4), volumeOf(data, shape), { ...baseOptions, contextSlices: 2 });

  for (let z = 0; z < 6; z++) {
    const source = Math.min(z + 2, 5);
    for (let pixel = 0; pixel < sliceSize; pixel++) {
      const expected = data[source * sliceSize + pixel] > 0.5 ? 1 : 0;
      assert.equal(labels[z * sliceSize + pixel], expected, `slice ${z}, pixel ${pixel}`);
    }
  }
});

test("single tile matches whole-slice U-Net prediction", async () => {
  // A slice smaller than the patch gets one tile padded with 0 at its high-x and high-y edges,
  // which is what the train stage's whole-slice predictor feeds the same U-Net.
  const shape: Shape = [21, 19, 4];
  const image = volumeOf(randomImage(shape, 17), shape);
  const model = buildUNet({ numClasses: 3, inputChannels: 3, depth: 2, baseFilters: 4, seed: 5 });

  const labels = await segmentVolume(model, image, { ...baseOptions, patchSize: 32, contextSlices: 1 });
  const expected = predictLabelVolume(model, image, { contextSlices: 1, sizeMultiple: 32 });

  assert.deepEqual(labels, expected);
  assert.ok(new Set(labels).size > 1, "the untrained U-Net predicts more than one class");
  model.dispose();
});

test("sliding window rejects a wrong output shape", async () => {
  const shape: Shape = [16, 16, 1];
  const pooled: SliceModel = { predict: (x) => tf.maxPool(x, 2, 2, "valid") };

  await assert.rejects(
    segmentVolume(pooled, volumeOf(new Float32Array(256), shape), baseOptions),
    /model output has shape \[1,8,8,1\]/,
  );
});

test("sliding window stops when aborted", async () => {
  const controller = new AbortController();
  controller.abort();
  const shape: Shape = [16, 16, 2];

  await assert.rejects(
    segmentVolume(thresholdModel(0), volumeOf(new Float32Array(512), shape), { ...baseOptions, signal: controller.signal }),
    /aborted/,
  );
});
