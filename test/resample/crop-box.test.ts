import assert from "node:assert/strict";
import { test } from "node:test";
import { bodyBox, expandBox, labelBox } from "../../stages/resample/crop-box.ts";
import { applyWindow } from "../../stages/resample/window.ts";
import type { Volume } from "../../stages/volume/volume.ts";

const IDENTITY = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];

/** Returns a 10 x 8 x 6 volume whose voxels are `value(i, j, k)`. */
function volumeOf(value: (i: number, j: number, k: number) => number): Volume<Float32Array> {
  const shape: [number, number, number] = [10, 8, 6];
  const data = new Float32Array(10 * 8 * 6);
  let index = 0;
  for (let k = 0; k < 6; k++) for (let j = 0; j < 8; j++) for (let i = 0; i < 10; i++) data[index++] = value(i, j, k);
  return { data, shape, spacing: [1, 1, 1], affine: IDENTITY };
}

test("labelBox bounds listed values", () => {
  const labels = volumeOf((i, j, k) => {
    if (i === 2 && j === 3 && k === 1) return 2;
    if (i === 7 && j === 5 && k === 4) return 3;
    return i === 9 ? 1 : 0;
  });
  assert.deepEqual(labelBox(labels, new Set([2, 3])), { start: [2, 3, 1], shape: [6, 3, 4] });
  assert.equal(labelBox(labels, new Set([5])), null);
});

test("bodyBox keeps largest region", () => {
  // A 5 x 4 x 4 block of tissue and a separate 10 x 1 x 6 couch row at j = 7.
  const ct = volumeOf((i, j, k) => {
    if (i >= 2 && i < 7 && j >= 1 && j < 5 && k >= 1 && k < 5) return 40;
    return j === 7 ? 200 : -1000;
  });
  assert.deepEqual(bodyBox(ct, -500), { start: [2, 1, 1], shape: [5, 4, 4] });
  assert.equal(bodyBox(volumeOf(() => -1000), -500), null);
});

test("bodyBox uses 6-connectivity", () => {
  // Two single voxels touching only at a corner are separate regions; the 2-voxel bar wins.
  const ct = volumeOf((i, j, k) => ((i === 0 && j === 0 && k === 0) || (i === 1 && j === 1 && k === 1) || (i === 5 && j === 5 && k <= 1) ? 0 : -1000));
  assert.deepEqual(bodyBox(ct, -500), { start: [5, 5, 0], shape: [1, 1, 2] });
});

test("expandBox rounds margin up and clips", () => {
  const box = { start: [2, 3, 1] as [number, number, number], shape: [4, 2, 2] as [number, number, number] };
  // 5 mm is 2.5 voxels of 2 mm (rounded up to 3), 5 voxels of 1 mm, 1 voxel of 5 mm.
  assert.deepEqual(expandBox(box, 5, [2, 1, 5], [20, 9, 10]), { start: [0, 0, 0], shape: [9, 9, 4] });
  assert.deepEqual(expandBox(box, 0, [2, 1, 5], [20, 9, 10]), box);
  assert.deepEqual(expandBox(box, 4, [2, 2, 2], [20, 20, 20]), { start: [0, 1, 0], shape: [8, 6, 5] });
});

test("applyWindow clips and scales", () => {
  const data = Float32Array.from([-3000, -1000, -250, 40, 500, 3000]);
  applyWindow(data, [-1000, 500]);
  const expected = [0, 0, 0.5, 1040 / 1500, 1, 1];
  expected.forEach((value, i) => assert.ok(Math.abs(data[i] - value) < 1e-6, `value ${i}: ${data[i]}, expected ${value}`));
  assert.throws(() => applyWindow(data, [0, 0]), /invalid HU window \[0, 0\]/);
});
