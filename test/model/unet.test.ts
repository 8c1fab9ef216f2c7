import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { buildUNet, UNET_DEFAULTS } from "../../stages/model/unet.ts";

before(async () => {
  await tf.setBackend("cpu");
});

/**
 * Counts parameters from the layout: two 3x3 convs per block (no bias, batch norm with 4
 * values per channel), 2x2 transpose convs with bias, a 1x1 softmax conv with bias.
 */
function expectedParams(inputChannels: number, base: number, depth: number, classes: number): number {
  const conv3 = (cin: number, cout: number) => 9 * cin * cout + 4 * cout;
  const block = (cin: number, cout: number) => conv3(cin, cout) + conv3(cout, cout);
  let total = 0;
  let channels = inputChannels;
  for (let level = 0; level <= depth; level++) {
    total += block(channels, base * 2 ** level);
    channels = base * 2 ** level;
  }
  for (let level = depth - 1; level >= 0; level--) {
    const filters = base * 2 ** level;
    total += 4 * channels * filters + filters;
    total += block(2 * filters, filters);
    channels = filters;
  }
  return total + channels * classes + classes;
}

test("default U-Net parameter count", () => {
  const model = buildUNet({ numClasses: 6 });
  assert.equal(UNET_DEFAULTS.baseFilters, 16);
  assert.equal(UNET_DEFAULTS.depth, 4);
  assert.equal(model.countParams(), expectedParams(1, 16, 4, 6));
  assert.equal(model.countParams(), 1_945_318);
  model.dispose();
});

test("tiny U-Net output shape and softmax", () => {
  const model = buildUNet({ numClasses: 3, depth: 2, baseFilters: 4, inputChannels: 5 });
  const input = tf.randomUniform([2, 32, 48, 5], 0, 1, "float32", 7);
  const output = model.predict(input) as tf.Tensor;

  assert.deepEqual(output.shape, [2, 32, 48, 3]);
  const sums = tf.sum(output, -1).dataSync();
  assert.ok(sums.every((s) => Math.abs(s - 1) < 1e-5), "class probabilities sum to 1");
  assert.equal(model.countParams(), expectedParams(5, 4, 2, 3));

  tf.dispose([input, output]);
  model.dispose();
});

test("same seed gives same weights", () => {
  const a = buildUNet({ numClasses: 2, depth: 2, baseFilters: 4, seed: 3 });
  const b = buildUNet({ numClasses: 5, depth: 2, baseFilters: 4, seed: 3 });
  const c = buildUNet({ numClasses: 2, depth: 2, baseFilters: 4, seed: 4 });
  // Every layer but the output layer matches across class counts.
  for (const layer of a.layers.filter((l) => l.name !== "output")) {
    const weightsA = layer.getWeights();
    const weightsB = b.getLayer(layer.name).getWeights();
    weightsA.forEach((w, i) => assert.deepEqual(w.dataSync(), weightsB[i].dataSync(), `${layer.name} weight ${i}`));
  }
  const firstConv = (m: tf.LayersModel) => m.getLayer("enc0_conv1").getWeights()[0].dataSync();
  assert.notDeepEqual(firstConv(a), firstConv(c));
  assert.deepEqual(b.getLayer("output").getWeights()[0].shape, [1, 1, 4, 5]);
  [a, b, c].forEach((m) => m.dispose());
});

test("layer names are stable across builds", () => {
  const a = buildUNet({ numClasses: 2, depth: 1, baseFilters: 2 });
  const b = buildUNet({ numClasses: 2, depth: 1, baseFilters: 2 });
  assert.deepEqual(a.layers.map((l) => l.name), b.layers.map((l) => l.name));
  assert.ok(a.layers.some((l) => l.name === "bottleneck_conv1"));
  [a, b].forEach((m) => m.dispose());
});

test("U-Net rejects invalid options", () => {
  assert.throws(() => buildUNet({ numClasses: 1 }), /numClasses must be an integer >= 2, got 1/);
  assert.throws(() => buildUNet({ numClasses: 2, depth: 3, inputSize: 20 }), /not a multiple of 2\^depth = 8/);
  assert.throws(() => buildUNet({ numClasses: 2, dropout: 1 }), /dropout must be in \[0, 1\)/);
});

test("U-Net without batch norm has conv biases", () => {
  const model = buildUNet({ numClasses: 2, depth: 1, baseFilters: 2, batchNorm: false });
  assert.ok(!model.layers.some((l) => l.getClassName() === "BatchNormalization"));
  const conv = model.getLayer("enc0_conv1");
  assert.equal(conv.getWeights().length, 2);
  model.dispose();
});
