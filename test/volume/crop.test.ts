import assert from "node:assert/strict";
import { test } from "node:test";
import { applyAffine } from "../../stages/volume/affine.ts";
import { cropVolume } from "../../stages/volume/crop.ts";
import type { Volume } from "../../stages/volume/volume.ts";

function numbered(): Volume<Int16Array> {
  const data = Int16Array.from({ length: 5 * 4 * 3 }, (_, i) => i);
  return { data, shape: [5, 4, 3], spacing: [2, 1, 3], affine: [-2, 0, 0, 10, 0, 1, 0, -4, 0, 0, 3, 7, 0, 0, 0, 1] };
}

test("cropVolume copies box and shifts affine", () => {
  const volume = numbered();
  const cropped = cropVolume(volume, { start: [1, 2, 1], shape: [3, 2, 2] });

  assert.ok(cropped.data instanceof Int16Array);
  assert.deepEqual(cropped.shape, [3, 2, 2]);
  assert.deepEqual(cropped.spacing, [2, 1, 3]);
  // Voxel (0, 0, 0) of the crop is voxel (1, 2, 1) of the source: index 1 + 5 * (2 + 4 * 1) = 31.
  assert.deepEqual(Array.from(cropped.data), [31, 32, 33, 36, 37, 38, 51, 52, 53, 56, 57, 58]);
  assert.deepEqual(applyAffine(cropped.affine, [0, 0, 0]), applyAffine(volume.affine, [1, 2, 1]));
  assert.deepEqual(applyAffine(cropped.affine, [2, 1, 1]), applyAffine(volume.affine, [3, 3, 2]));
});

test("cropVolume rejects box outside volume", () => {
  const volume = numbered();
  assert.throws(() => cropVolume(volume, { start: [3, 0, 0], shape: [3, 1, 1] }), /crop box .* does not fit in volume shape \[5,4,3\]/);
  assert.throws(() => cropVolume(volume, { start: [0, 0, 0], shape: [1, 0, 1] }), /does not fit/);
  assert.throws(() => cropVolume(volume, { start: [0, -1, 0], shape: [1, 1, 1] }), /does not fit/);
});
