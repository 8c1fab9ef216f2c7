/**
 * Times sliding-window segmentation of one generated CT-sized volume with the default U-Net.
 *
 * Usage: npx tsx bench/infer/run.ts [--backend auto|tensorflow|wasm|cpu] [--shape 256x256x120]
 *   [--patch 64] [--overlap 0.5] [--batch 8] [--classes 3] [--slices 4|all]
 *
 * Every axial slice gets the same tiles, so the time grows linearly with the slice count. To
 * stay within about 2 minutes on slow backends, the run segments only the first `--slices`
 * slices and extrapolates to the whole volume. `--slices all` segments every slice.
 * The weights are untrained (seeded initializers), which costs the same time as trained ones.
 * Besides the segmentation time it reports the time of the model's forward passes alone on the
 * same number of tiles in the same run, so the ratio shows what tiling and blending add.
 */
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { segmentVolume } from "../../stages/evaluate/sliding-window.ts";
import { tileStarts } from "../../stages/evaluate/tiling.ts";
import { initBackend, type BackendRequest } from "../../stages/model/backend.ts";
import { buildUNet } from "../../stages/model/unet.ts";
import type { Volume } from "../../stages/volume/volume.ts";

const { values } = parseArgs({
  options: {
    backend: { type: "string", default: "auto" },
    shape: { type: "string", default: "256x256x120" },
    patch: { type: "string", default: "64" },
    overlap: { type: "string", default: "0.5" },
    batch: { type: "string", default: "8" },
    classes: { type: "string", default: "3" },
    slices: { type: "string", default: "4" },
  },
});

const shape = values.shape.split("x").map(Number) as [number, number, number];
if (shape.length !== 3 || shape.some((n) => !Number.isInteger(n) || n < 1)) {
  throw new Error(`--shape must be three positive integers such as 256x256x120, got ${values.shape}`);
}
const patch = Number(values.patch);
const overlap = Number(values.overlap);
const batchSize = Number(values.batch);

const [nx, ny, nz] = shape;
const measuredSlices = values.slices === "all" ? nz : Math.min(Number(values.slices), nz);
if (!Number.isInteger(measuredSlices) || measuredSlices < 1) {
  throw new Error(`--slices must be a positive integer or "all", got ${values.slices}`);
}

const backend = await initBackend(values.backend as BackendRequest, console);
const model = buildUNet({ numClasses: Number(values.classes), seed: 1 });
const image = new Float32Array(nx * ny * measuredSlices);
for (let i = 0; i < image.length; i++) image[i] = Math.sin(i * 0.001) * 0.5 + 0.5;

// Warm-up: the first predict compiles kernels and allocates buffers.
tf.tidy(() => model.predict(tf.zeros([batchSize, patch, patch, 1])));

const tiles = tileStarts(nx, patch, overlap).length * tileStarts(ny, patch, overlap).length * measuredSlices;
let started = performance.now();
const volume: Volume<Float32Array> = {
  data: image,
  shape: [nx, ny, measuredSlices],
  spacing: [1, 1, 1],
  affine: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1],
};
await segmentVolume(model, volume, {
  patchSize: patch,
  overlap,
  contextSlices: 0,
  batchSize,
  blending: "gaussian",
  padValue: 0,
});
const measuredSeconds = (performance.now() - started) / 1000;

started = performance.now();
const batch = tf.randomUniform([batchSize, patch, patch, 1]);
for (let done = 0; done < tiles; done += batchSize) {
  const output = model.predict(done + batchSize <= tiles ? batch : batch.slice(0, tiles - done)) as tf.Tensor;
  await output.data();
  output.dispose();
}
batch.dispose();
const forwardSeconds = (performance.now() - started) / 1000;

const volumeSeconds = (measuredSeconds * nz) / measuredSlices;
const voxelsPerSecond = (nx * ny * measuredSlices) / measuredSeconds;
const estimate = measuredSlices < nz ? ` (estimate from ${measuredSlices} of ${nz} slices)` : "";
console.log(`backend ${backend.name} (${backend.threads} thread(s)), volume ${nx}x${ny}x${nz}, patch ${patch}, overlap ${overlap}, batch ${batchSize}`);
console.log(`measured: ${measuredSlices} slices, ${tiles} tiles in ${measuredSeconds.toFixed(1)} s`);
console.log(`one ${nx}x${ny}x${nz} volume: ${volumeSeconds.toFixed(1)} s${estimate}, ${(voxelsPerSecond / 1e6).toFixed(3)} Mvoxel/s`);
console.log(`forward passes alone: ${forwardSeconds.toFixed(1)} s; segmentation / forward = ${(measuredSeconds / forwardSeconds).toFixed(2)}`);
model.dispose();
process.exit(0);
