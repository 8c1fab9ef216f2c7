import assert from "node:assert/strict";
import { test } from "node:test";
import { labelComponents } from "../../stages/metrics/connected-components.ts";
import { detectLesions } from "../../stages/metrics/lesion-detection.ts";
import type { BinaryMask } from "../../stages/metrics/mask.ts";
import { boxMask, emptyMask, voxelsMask } from "./synthetic-masks.ts";

type Shape = [number, number, number];
const shape: Shape = [30, 20, 10];
const spacing: Shape = [1, 1, 2];

function union(...masks: BinaryMask[]): BinaryMask {
  const data = new Uint8Array(masks[0].data.length);
  for (const mask of masks) for (let i = 0; i < data.length; i++) data[i] |= mask.data[i];
  return { data, shape: masks[0].shape, spacing: masks[0].spacing };
}

test("components with 26 and 6 connectivity", () => {
  const diagonal = voxelsMask([4, 4, 4], [1, 1, 1], [[0, 0, 0], [1, 1, 1], [3, 3, 3]]);

  const with26 = labelComponents(diagonal.data, diagonal.shape, 26);
  const with6 = labelComponents(diagonal.data, diagonal.shape, 6);

  assert.equal(with26.count, 2);
  assert.deepEqual(Array.from(with26.sizes), [0, 2, 1]);
  assert.equal(with6.count, 3);
});

test("two reference lesions and three predicted", () => {
  const referenceA = boxMask(shape, spacing, [2, 2, 2], [6, 6, 6]);
  const referenceB = boxMask(shape, spacing, [15, 2, 2], [19, 6, 6]);
  const reference = union(referenceA, referenceB);
  const prediction = union(
    boxMask(shape, spacing, [3, 3, 3], [7, 7, 7]),
    boxMask(shape, spacing, [19, 6, 6], [21, 8, 8]),
    boxMask(shape, spacing, [25, 15, 2], [27, 17, 4]),
  );

  const result = detectLesions(reference, prediction);

  assert.equal(result.reference_lesions, 2);
  assert.equal(result.predicted_lesions, 3);
  assert.equal(result.matched_lesions, 2);
  assert.ok(Math.abs(result.precision! - 2 / 3) < 1e-12);
  assert.equal(result.recall, 1);
  assert.ok(Math.abs(result.f1 - 0.8) < 1e-12);
});

test("one prediction covering two lesions matches one", () => {
  const reference = union(
    boxMask(shape, spacing, [2, 2, 2], [6, 6, 6]),
    boxMask(shape, spacing, [10, 2, 2], [14, 6, 6]),
  );
  const prediction = boxMask(shape, spacing, [2, 2, 2], [14, 6, 6]);

  const result = detectLesions(reference, prediction);

  assert.equal(result.matched_lesions, 1);
  assert.equal(result.precision, 1);
  assert.equal(result.recall, 0.5);
  assert.ok(Math.abs(result.f1 - 2 / 3) < 1e-12);
});

test("greedy matching prefers higher IoU", () => {
  // P1 touches R1 in one plane and covers R2; P2 covers most of R1. P1 meets R1 first in
  // voxel order, so matching in that order would pair them and leave R2 unmatched.
  const reference = union(
    boxMask(shape, spacing, [2, 2, 2], [6, 6, 6]),
    boxMask(shape, spacing, [10, 2, 2], [14, 6, 6]),
  );
  const prediction = union(
    boxMask(shape, spacing, [6, 2, 1], [14, 6, 6]),
    boxMask(shape, spacing, [2, 3, 2], [4, 6, 6]),
  );

  const result = detectLesions(reference, prediction);

  assert.equal(result.predicted_lesions, 2);
  assert.equal(result.matched_lesions, 2);
  assert.equal(result.recall, 1);
});

test("lesions without overlap do not match", () => {
  const reference = voxelsMask(shape, spacing, [[5, 5, 5]]);
  const prediction = voxelsMask(shape, spacing, [[5, 5, 6]]);

  const result = detectLesions(reference, prediction);

  assert.equal(result.matched_lesions, 0);
  assert.equal(result.precision, 0);
  assert.equal(result.recall, 0);
  assert.equal(result.f1, 0);
});

test("lesion detection with empty masks", () => {
  const lesion = voxelsMask(shape, spacing, [[5, 5, 5]]);
  const empty = emptyMask(shape, spacing);

  const bothEmpty = detectLesions(empty, empty);
  const referenceEmpty = detectLesions(empty, lesion);
  const predictionEmpty = detectLesions(lesion, empty);

  assert.deepEqual([bothEmpty.precision, bothEmpty.recall, bothEmpty.f1], [1, 1, 1]);
  assert.deepEqual([referenceEmpty.precision, referenceEmpty.recall, referenceEmpty.f1], [0, null, 0]);
  assert.deepEqual([predictionEmpty.precision, predictionEmpty.recall, predictionEmpty.f1], [null, 0, 0]);
});
