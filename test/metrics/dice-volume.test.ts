import assert from "node:assert/strict";
import { test } from "node:test";
import { dice } from "../../stages/metrics/dice.ts";
import { assertSameGrid, maskVolumeMl } from "../../stages/metrics/mask.ts";
import { boxMask, emptyMask, sphereMask, voxelsMask } from "./synthetic-masks.ts";

type Shape = [number, number, number];

test("dice of shifted cube is overlap fraction", () => {
  const spacing: Shape = [1, 1, 1];
  const reference = boxMask([20, 20, 20], spacing, [2, 2, 2], [11, 11, 11]);
  const prediction = boxMask([20, 20, 20], spacing, [5, 2, 2], [14, 11, 11]);

  assert.ok(Math.abs(dice(reference, prediction) - 0.7) < 1e-12);
});

test("dice of offset spheres approaches lens volume", () => {
  const spacing: Shape = [0.5, 0.5, 0.5];
  const radius = 8;
  const offset = 6;
  const reference = sphereMask([50, 40, 40], spacing, [10, 10, 10], radius);
  const prediction = sphereMask([50, 40, 40], spacing, [10 + offset, 10, 10], radius);

  // Two equal spheres of radius r, centres d apart, intersect in a lens of volume
  // pi (4r + d)(2r - d)^2 / 12.
  const lens = (Math.PI * (4 * radius + offset) * (2 * radius - offset) ** 2) / 12;
  const sphere = (4 / 3) * Math.PI * radius ** 3;
  const expected = lens / sphere;

  const value = dice(reference, prediction);
  assert.ok(Math.abs(value - expected) < 0.01, `Dice ${value}, analytic ${expected}`);
});

test("dice of identical, disjoint and empty masks", () => {
  const spacing: Shape = [1, 1, 1];
  const voxel = voxelsMask([4, 4, 4], spacing, [[1, 1, 1]]);
  const other = voxelsMask([4, 4, 4], spacing, [[2, 2, 2]]);
  const empty = emptyMask([4, 4, 4], spacing);

  assert.equal(dice(voxel, voxel), 1);
  assert.equal(dice(voxel, other), 0);
  assert.equal(dice(voxel, empty), 0);
  assert.equal(dice(empty, voxel), 0);
  assert.equal(dice(empty, empty), 1);
});

test("mask volume uses anisotropic voxel volume", () => {
  const cube = boxMask([12, 12, 12], [0.5, 1, 2], [0, 0, 0], [9, 9, 9]);

  assert.ok(Math.abs(maskVolumeMl(cube) - 1) < 1e-12);
});

test("grid mismatch is rejected", () => {
  const a = emptyMask([4, 4, 4], [1, 1, 1]);
  const otherShape = emptyMask([4, 4, 5], [1, 1, 1]);
  const otherSpacing = emptyMask([4, 4, 4], [1, 1, 2]);
  const wrongLength = { data: new Uint8Array(10), shape: [4, 4, 4] as Shape, spacing: [1, 1, 1] as Shape };

  assert.throws(() => assertSameGrid(a, otherShape), /resample the prediction/);
  assert.throws(() => dice(a, otherSpacing), /spacing/);
  assert.throws(() => dice(wrongLength, a), /needs 64/);
});
