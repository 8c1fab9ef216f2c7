import { test } from "node:test";
import assert from "node:assert/strict";
import { PNG } from "pngjs";
import { largestSliceIndex, renderSlicePng, sliceMask } from "../../stages/compare/slice-png.ts";
import type { Volume } from "../../stages/volume/volume.ts";

/** 4 x 3 x 3 label volume: one tumor voxel (label 2) on slice 0, three on slice 2, label 1 elsewhere. */
function labels(): Volume<Uint8Array> {
  const data = new Uint8Array(36).fill(1);
  data[0] = 2;
  data[24 + 5] = 2;
  data[24 + 6] = 2;
  data[24 + 7] = 3;
  return { data, shape: [4, 3, 3], spacing: [1, 1, 1], affine: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1] };
}

test("largestSliceIndex picks most tumor voxels", () => {
  assert.equal(largestSliceIndex(labels(), [2]), 2);
  assert.equal(largestSliceIndex(labels(), [9]), -1);
});

test("sliceMask accepts several values", () => {
  assert.deepEqual([...sliceMask(labels(), 2, [2, 3])], [0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0]);
});

test("renderSlicePng flips to radiological view", () => {
  // CT rises along i; with a RAS affine, i = 0 (patient left) must land on the right edge.
  const ct: Volume<Float32Array> = { ...labels(), data: new Float32Array(36).map((_, v) => v % 4) };
  const png = PNG.sync.read(renderSlicePng(ct, 0));
  const scale = png.width / 4;
  const grey = (column: number) => png.data[4 * column];

  // 240 px would need a factor of 60, so the factor stops at its maximum of 8.
  assert.equal(png.width, 32);
  assert.equal(grey(0), 255);
  assert.equal(grey(png.width - 1), 0);
  assert.equal(grey(scale), 170);
});

test("renderSlicePng draws reference and prediction", () => {
  const ct: Volume<Float32Array> = { ...labels(), data: new Float32Array(36) };
  const reference = new Uint8Array(12);
  reference[0] = 1;
  const prediction = new Uint8Array(12);
  prediction[11] = 1;
  const png = PNG.sync.read(renderSlicePng(ct, 0, reference, prediction));
  const pixel = (column: number, row: number) => [...png.data.subarray(4 * (column + png.width * row), 4 * (column + png.width * row) + 3)];

  // Voxel (0, 0) shows at the bottom right after both flips, voxel (3, 2) at the top left.
  assert.deepEqual(pixel(png.width - 1, png.height - 1), [0, 230, 0]);
  assert.deepEqual(pixel(0, 0), [115, 0, 90]);
});
