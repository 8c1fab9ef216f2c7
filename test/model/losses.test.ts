import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  crossEntropy,
  diceCrossEntropy,
  focalLoss,
  focalTverskyLoss,
  makeLoss,
  marginalizeUnannotated,
  softDiceLoss,
  tverskyLoss,
  weightedCrossEntropy,
} from "../../stages/model/losses.ts";

before(async () => {
  await tf.setBackend("cpu");
});

/** Returns one image of two pixels: pixel 0 is background with p = [0.8, 0.2], pixel 1 is class 1 with p = [0.4, 0.6]. */
function twoPixels(): { yTrue: tf.Tensor4D; yPred: tf.Tensor4D } {
  return {
    yTrue: tf.tensor4d([1, 0, 0, 1], [1, 1, 2, 2]),
    yPred: tf.tensor4d([0.8, 0.2, 0.4, 0.6], [1, 1, 2, 2]),
  };
}

function value(loss: tf.Scalar): number {
  const result = loss.dataSync()[0];
  loss.dispose();
  return result;
}

function assertClose(actual: number, expected: number, tolerance = 1e-5): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `expected ${expected}, got ${actual}`);
}

test("cross-entropy on two pixels", () => {
  const { yTrue, yPred } = twoPixels();
  // (-ln 0.8 - ln 0.6) / 2
  assertClose(value(crossEntropy(yTrue, yPred)), 0.3669845875);
});

test("weighted cross-entropy normalizes by weights", () => {
  const { yTrue, yPred } = twoPixels();
  // (1 * -ln 0.8 + 3 * -ln 0.6) / (1 + 3)
  assertClose(value(weightedCrossEntropy(yTrue, yPred, [1, 3])), 0.4389051057);
  assertClose(value(weightedCrossEntropy(yTrue, yPred, [1, 1])), 0.3669845875);
});

test("weighted cross-entropy rejects wrong weight count", () => {
  const { yTrue, yPred } = twoPixels();
  assert.throws(() => weightedCrossEntropy(yTrue, yPred, [1, 2, 3]), /3 classes but the targets have 2/);
});

test("focal loss with gamma 2 and gamma 0", () => {
  const { yTrue, yPred } = twoPixels();
  // (0.2^2 * -ln 0.8 + 0.4^2 * -ln 0.6) / 2
  assertClose(value(focalLoss(yTrue, yPred, 2)), 0.0453289209);
  assertClose(value(focalLoss(yTrue, yPred, 0)), 0.3669845875);
});

test("soft Dice without and with background", () => {
  const { yTrue, yPred } = twoPixels();
  // class 1: 2 * 0.6 / (0.8 + 1)
  assertClose(value(softDiceLoss(yTrue, yPred, { smooth: 0 })), 1 - 1.2 / 1.8);
  // class 0: 2 * 0.8 / (1.2 + 1); mean with class 1
  assertClose(value(softDiceLoss(yTrue, yPred, { smooth: 0, includeBackground: true })), 1 - (1.6 / 2.2 + 1.2 / 1.8) / 2);
});

test("soft Dice batch and per-image sums differ", () => {
  // Image A: both pixels background, class-1 probabilities 0.1 and 0.1.
  // Image B: as twoPixels.
  const yTrue = tf.tensor4d([1, 0, 1, 0, 1, 0, 0, 1], [2, 1, 2, 2]);
  const yPred = tf.tensor4d([0.9, 0.1, 0.9, 0.1, 0.8, 0.2, 0.4, 0.6], [2, 1, 2, 2]);
  const smooth = 1e-5;
  const batchExpected = 1 - (1.2 + smooth) / (2 + smooth);
  const perImageExpected = 1 - ((0 + smooth) / (0.2 + smooth) + (1.2 + smooth) / (1.8 + smooth)) / 2;
  assertClose(value(softDiceLoss(yTrue, yPred, { batch: true })), batchExpected);
  assertClose(value(softDiceLoss(yTrue, yPred, { batch: false })), perImageExpected);
});

test("soft Dice smoothing makes absent class perfect", () => {
  const yTrue = tf.tensor4d([1, 0, 1, 0], [1, 1, 2, 2]);
  const yPred = tf.tensor4d([1, 0, 1, 0], [1, 1, 2, 2]);
  assertClose(value(softDiceLoss(yTrue, yPred, { batch: false })), 0);
});

test("Dice plus cross-entropy is their sum", () => {
  const { yTrue, yPred } = twoPixels();
  assertClose(value(diceCrossEntropy(yTrue, yPred, { smooth: 0 })), 1 - 1.2 / 1.8 + 0.3669845875);
});

test("Tversky index weights FP and FN", () => {
  const { yTrue, yPred } = twoPixels();
  // class 1: TP 0.6, FP 0.2, FN 0.4 -> 0.6 / (0.6 + 0.3 * 0.2 + 0.7 * 0.4)
  assertClose(value(tverskyLoss(yTrue, yPred, { smooth: 0 })), 1 - 0.6 / 0.94);
  assertClose(value(tverskyLoss(yTrue, yPred, { smooth: 0, alpha: 0.5, beta: 0.5 })), 1 - 1.2 / 1.8);
});

test("focal-Tversky raises to 1/gamma", () => {
  const { yTrue, yPred } = twoPixels();
  assertClose(value(focalTverskyLoss(yTrue, yPred, { smooth: 0 })), 0.4664051074);
  assertClose(value(focalTverskyLoss(yTrue, yPred, { smooth: 0, gamma: 1 })), 1 - 0.6 / 0.94);
});

test("marginal merges unannotated into background", () => {
  // Two images with three classes. Pixel 0 is background, pixel 1 is class 2; p = [0.2, 0.5, 0.3]
  // everywhere. Class 1 is unannotated in image 0 only.
  const yTrue = tf.tensor4d([1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1], [2, 1, 2, 3]);
  const yPred = tf.tensor4d(Array(4).fill([0.2, 0.5, 0.3]).flat(), [2, 1, 2, 3]);
  const mask = tf.tensor2d([[0, 1, 0], [0, 0, 0]]);

  const merged = marginalizeUnannotated(yTrue, yPred, mask).arraySync();

  assert.deepEqual(round(merged[0][0][0]), [0.7, 0, 0.3]);
  assert.deepEqual(round(merged[0][0][1]), [0.2, 0.5, 0.3]);
  assert.deepEqual(round(merged[1][0][0]), [0.2, 0.5, 0.3]);
  assert.deepEqual(round(merged[1][0][1]), [0.2, 0.5, 0.3]);
});

test("marginal cross-entropy on background pixel", () => {
  const yTrue = tf.tensor4d([1, 0, 0], [1, 1, 1, 3]);
  const yPred = tf.tensor4d([0.2, 0.5, 0.3], [1, 1, 1, 3]);
  const merged = marginalizeUnannotated(yTrue, yPred, tf.tensor2d([[0, 1, 0]]));
  assertClose(value(crossEntropy(yTrue, merged)), -Math.log(0.7));
  assertClose(value(crossEntropy(yTrue, yPred)), -Math.log(0.2));
});

test("marginal rejects mask of wrong shape", () => {
  const { yTrue, yPred } = twoPixels();
  assert.throws(() => marginalizeUnannotated(yTrue, yPred, tf.tensor2d([[0, 1, 0]])), /shape \[1,3\], expected \[1, 2\]/);
});

test("makeLoss binds settings by name", () => {
  const { yTrue, yPred } = twoPixels();
  assertClose(value(makeLoss("ce")(yTrue, yPred)), 0.3669845875);
  assertClose(value(makeLoss("weighted_ce", { classWeights: [1, 3] })(yTrue, yPred)), 0.4389051057);
  assertClose(value(makeLoss("focal", { focalGamma: 0 })(yTrue, yPred)), 0.3669845875);
  assertClose(value(makeLoss("tversky", { overlap: { smooth: 0 }, tverskyAlpha: 0.5, tverskyBeta: 0.5 })(yTrue, yPred)), 1 - 1.2 / 1.8);
  assert.throws(() => makeLoss("weighted_ce"), /needs classWeights/);
  assert.throws(() => makeLoss("hinge" as never), /unknown loss 'hinge'/);
});

test("losses have finite gradients at p = 0", () => {
  const yTrue = tf.tensor4d([1, 0, 0, 1], [1, 1, 2, 2]);
  const logits = tf.variable(tf.tensor4d([30, -30, 30, -30], [1, 1, 2, 2]));
  for (const name of ["ce", "dice_ce", "focal", "tversky", "focal_tversky"] as const) {
    const loss = makeLoss(name);
    const grads = tf.variableGrads(() => loss(yTrue, tf.softmax(logits) as tf.Tensor4D), [logits]);
    const values = grads.grads[logits.name].dataSync();
    assert.ok(values.every(Number.isFinite), `${name}: gradient ${Array.from(values)}`);
    tf.dispose([grads.value, grads.grads[logits.name]]);
  }
});

function round(values: number[]): number[] {
  return values.map((v) => Math.round(v * 1e6) / 1e6);
}
