/**
 * Checks that a small U-Net level (conv + batch norm + ReLU, max pooling, 2x2 stride-2
 * conv2dTranspose, skip concat, softmax, cross-entropy) gets the same weight gradients on WASM
 * with the training kernels as on the stock CPU backend.
 *
 * Tolerance: 1e-4 of each variable's largest gradient, as in kernels.test.ts. Batch norm divides
 * by the batch standard deviation, which can amplify float32 rounding differences. The worst
 * error measured for this model was 6e-6, in the conv2dTranspose bias.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../stages/model/backend.ts";
import { collectingLogger, relativeError } from "./kernels-compare.ts";

const TOLERANCE = 1e-4;

function convBnRelu(x: tf.SymbolicTensor, filters: number, name: string, seed: number): tf.SymbolicTensor {
  const conv = tf.layers.conv2d({
    filters,
    kernelSize: 3,
    padding: "same",
    useBias: false,
    kernelInitializer: tf.initializers.heNormal({ seed }),
    name: `${name}_conv`,
  });
  const normalized = tf.layers.batchNormalization({ name: `${name}_bn` }).apply(conv.apply(x)) as tf.SymbolicTensor;
  return tf.layers.reLU().apply(normalized) as tf.SymbolicTensor;
}

/** Builds one encoder level, a bottleneck and one decoder level for [16, 16, 1] input and 3 classes. */
function buildUNetLevel(): tf.LayersModel {
  const input = tf.input({ shape: [16, 16, 1] });
  const skip = convBnRelu(convBnRelu(input, 4, "enc_a", 1), 4, "enc_b", 2);
  const pooled = tf.layers.maxPooling2d({ poolSize: 2 }).apply(skip) as tf.SymbolicTensor;
  const bottleneck = convBnRelu(pooled, 8, "bottleneck", 3);
  const up = tf.layers.conv2dTranspose({
    filters: 4,
    kernelSize: 2,
    strides: 2,
    padding: "same",
    kernelInitializer: tf.initializers.heNormal({ seed: 4 }),
  }).apply(bottleneck) as tf.SymbolicTensor;
  const merged = tf.layers.concatenate({ axis: -1 }).apply([up, skip]) as tf.SymbolicTensor;
  const decoded = convBnRelu(merged, 4, "dec", 5);
  const output = tf.layers.conv2d({
    filters: 3,
    kernelSize: 1,
    activation: "softmax",
    kernelInitializer: tf.initializers.glorotUniform({ seed: 6 }),
  }).apply(decoded) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output });
}

/** Returns the gradient of the mean cross-entropy for each trainable variable, by name. */
function weightGradients(model: tf.LayersModel, images: tf.Tensor, targets: tf.Tensor): Map<string, Float32Array> {
  const { value, grads } = tf.variableGrads(() => {
    const probabilities = model.apply(images, { training: true }) as tf.Tensor;
    const logProbabilities = tf.log(tf.clipByValue(probabilities, 1e-7, 1));
    return tf.neg(tf.mean(tf.sum(tf.mul(targets, logProbabilities), -1))) as tf.Scalar;
  });
  const arrays = new Map(Object.entries(grads).map(([name, g]) => [name, Float32Array.from(g.dataSync())]));
  tf.dispose([value, grads]);
  return arrays;
}

test("U-Net level gradients match cpu", async () => {
  await tf.setBackend("cpu");
  const model = buildUNetLevel();
  const images = tf.randomNormal([2, 16, 16, 1], 0, 1, "float32", 11);
  const targets = tf.oneHot(tf.randomUniform([2, 16, 16], 0, 3, "int32", 12), 3);
  const expected = weightGradients(model, images, targets);

  await initBackend("wasm", collectingLogger(), { threads: 1 });
  const actual = weightGradients(model, images, targets);

  assert.equal(actual.size, expected.size);
  assert.ok(expected.size >= 12, `expected at least 12 trainable variables, got ${expected.size}`);
  for (const [name, gradient] of expected) {
    const error = relativeError(actual.get(name) ?? new Float32Array(), gradient);
    assert.ok(error <= TOLERANCE, `${name}: relative error ${error} exceeds ${TOLERANCE}`);
  }
});
