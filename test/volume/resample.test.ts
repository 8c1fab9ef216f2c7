import assert from "node:assert/strict";
import { test } from "node:test";
import { applyAffine, invertAffine, multiplyAffines, type Affine } from "../../stages/volume/affine.ts";
import { readNifti } from "../../stages/volume/nifti.ts";
import { axisCodes } from "../../stages/volume/orientation.ts";
import { gridForSpacing, resampleToGrid, resampleToSpacing } from "../../stages/volume/resample.ts";
import type { Volume, VoxelArray } from "../../stages/volume/volume.ts";
import { nsclcCase } from "./nsclc-dataset.ts";

/** A linear function of world position in mm, which trilinear interpolation reproduces exactly. */
function worldRamp([x, y, z]: [number, number, number]): number {
  return 0.5 * x - 0.25 * y + 2 * z + 7;
}

/** Returns a volume in which each voxel contains `value(world position of its centre)`. */
function volumeFromWorld<T extends VoxelArray>(
  shape: [number, number, number],
  affine: Affine,
  data: T,
  value: (world: [number, number, number]) => number,
): Volume<T> {
  let index = 0;
  for (let k = 0; k < shape[2]; k++) {
    for (let j = 0; j < shape[1]; j++) {
      for (let i = 0; i < shape[0]; i++) data[index++] = value(applyAffine(affine, [i, j, k]));
    }
  }
  const spacing = [0, 1, 2].map((c) => Math.hypot(affine[c], affine[4 + c], affine[8 + c])) as [number, number, number];
  return { data, shape, spacing, affine };
}

/** Calls `visit` for each output voxel whose world position lies inside the source voxel centres. */
function forEachInsideVoxel(output: Volume, source: Volume, visit: (index: number, world: [number, number, number]) => void): number {
  const toSource = invertAffine(source.affine);
  let index = 0;
  let visited = 0;
  for (let k = 0; k < output.shape[2]; k++) {
    for (let j = 0; j < output.shape[1]; j++) {
      for (let i = 0; i < output.shape[0]; i++, index++) {
        const world = applyAffine(output.affine, [i, j, k]);
        const position = applyAffine(toSource, world);
        if (position.every((p, a) => p >= 0 && p <= source.shape[a] - 1)) {
          visit(index, world);
          visited++;
        }
      }
    }
  }
  return visited;
}

/** LPS CT-like affine: 0.8 x 0.8 x 2.5 mm voxels. */
const LPS_AFFINE = [-0.8, 0, 0, 40, 0, -0.8, 0, 30.5, 0, 0, 2.5, -60, 0, 0, 0, 1];
const SHAPE: [number, number, number] = [23, 19, 11];

test("resampleToSpacing keeps ramp values in mm", () => {
  const source = volumeFromWorld(SHAPE, LPS_AFFINE, new Float32Array(23 * 19 * 11), worldRamp);
  const output = resampleToSpacing(source, [1.3, 0.9, 2.2], "linear");

  assert.equal(axisCodes(output.affine), "RAS");
  assert.ok(output.data instanceof Float32Array);
  output.spacing.forEach((size, a) => assert.ok(Math.abs(size - [1.3, 0.9, 2.2][a]) < 1e-9, `spacing ${output.spacing}`));

  let worst = 0;
  const visited = forEachInsideVoxel(output, source, (index, world) => {
    worst = Math.max(worst, Math.abs(output.data[index] - worldRamp(world)));
  });
  assert.ok(visited > output.data.length * 0.7, `only ${visited} of ${output.data.length} voxels inside`);
  assert.ok(worst < 1e-3, `largest error ${worst} mm-units`);
});

test("resampleToSpacing on oblique volume", () => {
  // LPS axes rotated 10 degrees about z, with k pointing inferior: axis codes "LPI".
  const [c, s] = [Math.cos(0.1745), Math.sin(0.1745)];
  const oblique = [-c * 0.8, s * 0.9, 0, 40, -s * 0.8, -c * 0.9, 0, 30, 0, 0, -2.5, -30, 0, 0, 0, 1];
  const source = volumeFromWorld(SHAPE, oblique, new Float32Array(23 * 19 * 11), worldRamp);
  const output = resampleToSpacing(source, [1.2, 1.2, 2], "linear");

  assert.equal(axisCodes(oblique), "LPI");
  assert.equal(axisCodes(output.affine), "RAS");
  let worst = 0;
  const visited = forEachInsideVoxel(output, source, (index, world) => {
    worst = Math.max(worst, Math.abs(output.data[index] - worldRamp(world)));
  });
  assert.ok(visited > output.data.length * 0.7, `only ${visited} of ${output.data.length} voxels inside`);
  assert.ok(worst < 1e-3, `largest error ${worst}`);
});

test("gridForSpacing keeps field of view centre", () => {
  const target = gridForSpacing({ shape: SHAPE, affine: LPS_AFFINE }, [1.5, 1.5, 3]);
  const centre = (shape: number[], affine: Affine) => applyAffine(affine, shape.map((n) => (n - 1) / 2) as [number, number, number]);

  const before = centre(SHAPE, LPS_AFFINE);
  const after = centre(target.shape, target.affine);
  before.forEach((value, a) => assert.ok(Math.abs(value - after[a]) < 1e-9, `centre ${before} moved to ${after}`));
  assert.deepEqual(target.shape, [Math.round((23 * 0.8) / 1.5), Math.round((19 * 0.8) / 1.5), Math.round((11 * 2.5) / 3)]);
});

test("resampleToGrid onto rotated grid", () => {
  const source = volumeFromWorld(SHAPE, LPS_AFFINE, new Float64Array(23 * 19 * 11), worldRamp);
  const angle = (30 * Math.PI) / 180;
  const rotation = [
    Math.cos(angle), -Math.sin(angle), 0, 0,
    Math.sin(angle), Math.cos(angle), 0, 0,
    0, 0, 1, 0,
    0, 0, 0, 1,
  ];
  const targetAffine = multiplyAffines(rotation, [1.1, 0, 0, 0, 0, 1.1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1]);
  [targetAffine[3], targetAffine[7], targetAffine[11]] = [30, 14, -58];
  const output = resampleToGrid(source, [15, 15, 12], targetAffine, "linear", { fill: -999 });

  let worst = 0;
  const visited = forEachInsideVoxel(output, source, (index, world) => {
    worst = Math.max(worst, Math.abs(output.data[index] - worldRamp(world)));
  });
  assert.ok(visited > 100, `only ${visited} voxels inside`);
  assert.ok(worst < 1e-3, `largest error ${worst}`);
  assert.ok(output.data.includes(-999), "no voxel outside the source got the fill value");
});

test("resampleToGrid identity copies values", () => {
  const source = volumeFromWorld(SHAPE, LPS_AFFINE, new Int16Array(23 * 19 * 11), (w) => Math.round(worldRamp(w) * 10));
  const linear = resampleToGrid(source, SHAPE, LPS_AFFINE, "linear");
  const nearest = resampleToGrid(source, SHAPE, LPS_AFFINE, "nearest");

  assert.deepEqual(Array.from(linear.data), Array.from(source.data));
  assert.ok(nearest.data instanceof Int16Array);
  assert.deepEqual(Array.from(nearest.data), Array.from(source.data));
});

test("resampleToGrid fills outside the source", () => {
  const source = volumeFromWorld([4, 4, 4], [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1], new Uint8Array(64), () => 5);
  // Output x runs from -1.5 to 5.5 mm. The source covers -0.5 to 3.5 mm, edges included.
  const output = resampleToGrid(source, [8, 1, 1], [1, 0, 0, -1.5, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1], "nearest", { fill: 9 });
  assert.deepEqual(Array.from(output.data), [9, 5, 5, 5, 5, 5, 9, 9]);
});

test("nearest labels keep existing values", () => {
  const labels = volumeFromWorld(SHAPE, LPS_AFFINE, new Uint8Array(23 * 19 * 11), ([x, y, z]) => {
    if (Math.hypot(x - 30, y - 22, z + 45) < 6) return 7;
    return x > 32 ? 3 : 0;
  });
  const resampled = resampleToSpacing(labels, [1.1, 1.7, 1.9], "nearest");
  const rotated = resampleToGrid(labels, [20, 20, 20], [0.7, 0.7, 0, 20, -0.7, 0.7, 0, 20, 0, 0, 1.3, -60, 0, 0, 0, 1], "nearest");

  for (const output of [resampled, rotated]) {
    assert.ok(output.data instanceof Uint8Array);
    assert.deepEqual([...new Set(output.data)].sort(), [0, 3, 7]);
  }
});

test("labels map back to original grid", () => {
  const labels = volumeFromWorld(SHAPE, LPS_AFFINE, new Uint8Array(23 * 19 * 11), ([x, y, z]) =>
    Math.hypot(x - 28, y - 20, z + 48) < 7 ? 1 : 0,
  );
  const resampled = resampleToSpacing(labels, [1.5, 1.5, 3], "nearest");
  const back = resampleToGrid(resampled, labels.shape, labels.affine, "nearest");

  let agree = 0;
  for (let i = 0; i < labels.data.length; i++) if (back.data[i] === labels.data[i]) agree++;
  assert.deepEqual(back.affine, labels.affine);
  assert.ok(agree / labels.data.length > 0.95, `only ${agree} of ${labels.data.length} voxels agree`);
});

test("resampleToSpacing on NSCLC CT", async (t) => {
  const paths = nsclcCase(t, "LUNG1-001");
  if (!paths) return;

  const image = await readNifti(paths.image);
  const output = resampleToSpacing(image, [1.5, 1.5, 3], "linear");

  assert.equal(axisCodes(output.affine), "RAS");
  assert.deepEqual(output.shape.slice(0, 2), [333, 333]);
  assert.equal(output.shape[2], image.shape[2]);
  let min = Infinity;
  let max = -Infinity;
  for (const value of output.data) {
    min = Math.min(min, value);
    max = Math.max(max, value);
  }
  assert.ok(min >= -1100, `minimum ${min} HU`);
  assert.ok(max <= 4000, `maximum ${max} HU`);
  assert.ok(max > 200, `maximum ${max} HU: no bone`);
});
