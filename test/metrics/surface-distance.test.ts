import assert from "node:assert/strict";
import { test } from "node:test";
import type { BinaryMask } from "../../stages/metrics/mask.ts";
import { boundaryVoxels } from "../../stages/metrics/surface.ts";
import {
  hd95,
  normalizedSurfaceDistance,
  percentile,
  surfaceDistances,
} from "../../stages/metrics/surface-distance.ts";
import {
  boxMask,
  bruteForceDistances,
  emptyMask,
  sphereMask,
  voxelCentresMm,
  voxelsMask,
} from "./synthetic-masks.ts";

type Shape = [number, number, number];

function bruteForceSurfaceDistances(a: BinaryMask, b: BinaryMask) {
  const surfaceA = voxelCentresMm(boundaryVoxels(a.data, a.shape), a.shape, a.spacing);
  const surfaceB = voxelCentresMm(boundaryVoxels(b.data, b.shape), b.shape, b.spacing);
  return {
    referenceToPrediction: bruteForceDistances(surfaceA, surfaceB),
    predictionToReference: bruteForceDistances(surfaceB, surfaceA),
  };
}

test("boundary voxels of a solid box are its faces", () => {
  const box = boxMask([6, 6, 6], [1, 1, 1], [1, 1, 1], [4, 4, 4]);

  const boundary = boundaryVoxels(box.data, box.shape);

  const count = boundary.reduce((sum, v) => sum + v, 0);
  assert.equal(count, 4 ** 3 - 2 ** 3);
  assert.equal(boundary[2 + 6 * (2 + 6 * 2)], 0);
  assert.equal(boundary[1 + 6 * (2 + 6 * 2)], 1);
});

test("boundary voxels include voxels on the array border", () => {
  const full = boxMask([3, 3, 3], [1, 1, 1], [0, 0, 0], [2, 2, 2]);

  const boundary = boundaryVoxels(full.data, full.shape);

  assert.equal(boundary.reduce((sum, v) => sum + v, 0), 26);
});

test("shifted cube HD95 equals shift in mm", () => {
  const shape: Shape = [24, 24, 24];
  const spacing: Shape = [0.8, 1.1, 2.5];
  const reference = boxMask(shape, spacing, [4, 4, 4], [13, 13, 13]);
  const cases: { shift: Shape; expectedMm: number }[] = [
    { shift: [2, 0, 0], expectedMm: 2 * 0.8 },
    { shift: [0, 3, 0], expectedMm: 3 * 1.1 },
    { shift: [0, 0, 2], expectedMm: 2 * 2.5 },
  ];

  for (const { shift, expectedMm } of cases) {
    const prediction = boxMask(
      shape,
      spacing,
      [4 + shift[0], 4 + shift[1], 4 + shift[2]],
      [13 + shift[0], 13 + shift[1], 13 + shift[2]],
    );

    const distances = surfaceDistances(reference, prediction);

    const value = hd95(distances);
    assert.ok(value !== null);
    assert.ok(Math.abs(value - expectedMm) < 1e-9, `shift [${shift}]: HD95 ${value}, expected ${expectedMm}`);
  }
});

test("shifted cube NSD depends on tolerance", () => {
  const spacing: Shape = [1, 1, 2];
  const reference = boxMask([20, 20, 20], spacing, [4, 4, 4], [13, 13, 13]);
  const prediction = boxMask([20, 20, 20], spacing, [4, 4, 6], [13, 13, 15]);
  const distances = surfaceDistances(reference, prediction);

  assert.equal(normalizedSurfaceDistance(distances, 4), 1);
  assert.ok(normalizedSurfaceDistance(distances, 3.9) < 1);
  assert.ok(normalizedSurfaceDistance(distances, 3.9) > 0.5);
  assert.ok(normalizedSurfaceDistance(distances, 0) < normalizedSurfaceDistance(distances, 2));
});

test("offset spheres match brute force surface distances", () => {
  const shape: Shape = [30, 28, 14];
  const spacing: Shape = [0.9, 1.2, 2.5];
  const reference = sphereMask(shape, spacing, [12, 16, 17], 8);
  const prediction = sphereMask(shape, spacing, [15, 14, 19], 7);

  const fast = surfaceDistances(reference, prediction);
  const brute = bruteForceSurfaceDistances(reference, prediction);

  assert.equal(fast.referenceToPrediction.length, brute.referenceToPrediction.length);
  assert.equal(fast.predictionToReference.length, brute.predictionToReference.length);
  for (let i = 0; i < brute.referenceToPrediction.length; i++) {
    assert.ok(Math.abs(fast.referenceToPrediction[i] - brute.referenceToPrediction[i]) < 1e-9);
  }
  for (let i = 0; i < brute.predictionToReference.length; i++) {
    assert.ok(Math.abs(fast.predictionToReference[i] - brute.predictionToReference[i]) < 1e-9);
  }
  assert.ok(Math.abs(hd95(fast)! - hd95(brute)!) < 1e-9);
  assert.equal(normalizedSurfaceDistance(fast, 2), normalizedSurfaceDistance(brute, 2));
});

test("offset spheres HD95 is below the centre offset", () => {
  const spacing: Shape = [1, 1, 1];
  const reference = sphereMask([40, 40, 40], spacing, [20, 20, 20], 10);
  const prediction = sphereMask([40, 40, 40], spacing, [24, 20, 20], 10);

  const value = hd95(surfaceDistances(reference, prediction));

  assert.ok(value !== null);
  assert.ok(value > 2, `HD95 ${value} mm for spheres 4 mm apart`);
  assert.ok(value <= 4, `HD95 ${value} mm for spheres 4 mm apart`);
});

test("single voxels HD95 is their distance", () => {
  const spacing: Shape = [1, 1, 3];
  const reference = voxelsMask([8, 8, 8], spacing, [[5, 5, 5]]);
  const prediction = voxelsMask([8, 8, 8], spacing, [[5, 5, 7]]);

  const distances = surfaceDistances(reference, prediction);

  assert.equal(hd95(distances), 6);
  assert.equal(normalizedSurfaceDistance(distances, 5.9), 0);
  assert.equal(normalizedSurfaceDistance(distances, 6), 1);
});

test("surface distances with an empty mask", () => {
  const spacing: Shape = [1, 1, 1];
  const voxel = voxelsMask([4, 4, 4], spacing, [[1, 1, 1]]);
  const empty = emptyMask([4, 4, 4], spacing);

  const oneEmpty = surfaceDistances(voxel, empty);
  const bothEmpty = surfaceDistances(empty, empty);

  assert.equal(hd95(oneEmpty), null);
  assert.equal(normalizedSurfaceDistance(oneEmpty, 100), 0);
  assert.deepEqual(Array.from(oneEmpty.referenceToPrediction), [Infinity]);
  assert.equal(normalizedSurfaceDistance(bothEmpty, 2), 1);
});

test("percentile interpolates like numpy", () => {
  const values = Float64Array.from([4, 1, 3, 2, 10]);

  assert.equal(percentile(values, 0), 1);
  assert.equal(percentile(values, 100), 10);
  assert.equal(percentile(values, 50), 3);
  assert.ok(Math.abs(percentile(values, 95) - 8.8) < 1e-12);
});

test("NSD rejects a negative tolerance", () => {
  const mask = voxelsMask([3, 3, 3], [1, 1, 1], [[1, 1, 1]]);

  assert.throws(() => normalizedSurfaceDistance(surfaceDistances(mask, mask), -1), /tolerance/);
});
