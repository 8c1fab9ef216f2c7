import assert from "node:assert/strict";
import { test } from "node:test";
import { squaredDistanceTransform } from "../../stages/metrics/distance-transform.ts";
import { bruteForceDistances, seededRandom, voxelCentresMm } from "./synthetic-masks.ts";

type Shape = [number, number, number];

function allVoxels(shape: Shape): Uint8Array {
  return new Uint8Array(shape[0] * shape[1] * shape[2]).fill(1);
}

test("distance transform matches brute force with anisotropic spacing", () => {
  const shape: Shape = [13, 9, 7];
  const spacing: Shape = [0.7, 1.3, 3.1];
  const random = seededRandom(7);

  for (const density of [0.002, 0.02, 0.2]) {
    const features = new Uint8Array(shape[0] * shape[1] * shape[2]);
    for (let i = 0; i < features.length; i++) features[i] = random() < density ? 1 : 0;
    features[random() * features.length | 0] = 1;

    const squared = squaredDistanceTransform(features, shape, spacing);
    const expected = bruteForceDistances(
      voxelCentresMm(allVoxels(shape), shape, spacing),
      voxelCentresMm(features, shape, spacing),
    );

    for (let i = 0; i < expected.length; i++) {
      assert.ok(
        Math.abs(Math.sqrt(squared[i]) - expected[i]) < 1e-9,
        `density ${density}, voxel ${i}: got ${Math.sqrt(squared[i])}, expected ${expected[i]}`,
      );
    }
  }
});

test("distance transform of single voxel along each axis", () => {
  const shape: Shape = [5, 6, 7];
  const spacing: Shape = [0.5, 2, 3];
  const features = new Uint8Array(5 * 6 * 7);
  features[0] = 1;

  const squared = squaredDistanceTransform(features, shape, spacing);

  assert.equal(squared[4], (4 * 0.5) ** 2);
  assert.equal(squared[5 * 5], (5 * 2) ** 2);
  assert.equal(squared[30 * 6], (6 * 3) ** 2);
  assert.equal(squared[0], 0);
});

test("distance transform without features is Infinity", () => {
  const squared = squaredDistanceTransform(new Uint8Array(24), [2, 3, 4], [1, 1, 1]);

  assert.ok(squared.every((d) => d === Infinity));
});
