import assert from "node:assert/strict";
import { test } from "node:test";
import { applyAffine, invertAffine } from "../../stages/volume/affine.ts";
import { axisCodes, reorientToCanonical } from "../../stages/volume/orientation.ts";
import type { Volume } from "../../stages/volume/volume.ts";

test("axisCodes of common affines", () => {
  assert.equal(axisCodes([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]), "RAS");
  assert.equal(axisCodes([-0.9, 0, 0, 0, 0, -0.9, 0, 0, 0, 0, 3, 0, 0, 0, 0, 1]), "LPS");
  assert.equal(axisCodes([0, 0, -2, 0, 1.5, 0, 0, 0, 0, 0.5, 0, 0, 0, 0, 0, 1]), "ASL");
  // 40 degrees oblique about z still gives distinct axes.
  const [c, s] = [Math.cos(0.7), Math.sin(0.7)];
  assert.equal(axisCodes([c, -s, 0, 0, s, c, 0, 0, 0, 0, -1, 0, 0, 0, 0, 1]), "RAI");
});

/** A volume with a distinct value in every voxel. */
function numberedVolume(shape: [number, number, number], affine: number[]): Volume<Int32Array> {
  const data = Int32Array.from({ length: shape[0] * shape[1] * shape[2] }, (_, i) => i * 7 - 100);
  return { data, shape, spacing: [0, 0, 0], affine };
}

function assertSameWorldValues(output: Volume, source: Volume): void {
  const toSource = invertAffine(source.affine);
  let index = 0;
  for (let k = 0; k < output.shape[2]; k++) {
    for (let j = 0; j < output.shape[1]; j++) {
      for (let i = 0; i < output.shape[0]; i++, index++) {
        const [si, sj, sk] = applyAffine(toSource, applyAffine(output.affine, [i, j, k])).map(Math.round);
        const expected = source.data[si + source.shape[0] * (sj + source.shape[1] * sk)];
        assert.equal(output.data[index], expected, `voxel (${i}, ${j}, ${k})`);
      }
    }
  }
}

test("reorient LPS volume to RAS", () => {
  const source = numberedVolume([5, 4, 3], [-0.8, 0, 0, 40, 0, -0.7, 0, 30, 0, 0, 2.5, -60, 0, 0, 0, 1]);
  const output = reorientToCanonical(source);

  assert.equal(axisCodes(output.affine), "RAS");
  assert.deepEqual(output.shape, [5, 4, 3]);
  assert.deepEqual(output.spacing, [0.8, 0.7, 2.5]);
  assert.deepEqual(applyAffine(output.affine, [0, 0, 0]), [40 - 4 * 0.8, 30 - 3 * 0.7, -60]);
  assertSameWorldValues(output, source);
});

test("reorient permuted ASL volume to RAS", () => {
  const source = numberedVolume([4, 3, 2], [0, 0, -2, 10, 1.5, 0, 0, -20, 0, 0.5, 0, 30, 0, 0, 0, 1]);
  const output = reorientToCanonical(source);

  assert.equal(axisCodes(output.affine), "RAS");
  assert.deepEqual(output.shape, [2, 4, 3]);
  assertSameWorldValues(output, source);
});

test("reorient RAS volume returns it", () => {
  const source = numberedVolume([2, 2, 2], [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
  assert.equal(reorientToCanonical(source), source);
});
