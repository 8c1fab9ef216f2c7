/**
 * Prints the kernels that take the most time in one training step of the default U-Net, as
 * measured by tf.profile, to find what to speed up next.
 *
 * Usage: npx tsx bench/train-step/profile.ts [--backend wasm] [--threads 1] [--size 128] [--batch 4]
 *   [--top 15] [--kernel NAME]
 * `--kernel NAME` also lists every call of that kernel with its input shapes.
 *
 * NOTE: on a loaded machine single kernel times vary by 10x between identical calls; compare
 * alternatives with interleaved repetitions instead.
 */
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { type BackendRequest, initBackend } from "../../stages/model/backend.ts";
import { crossEntropy } from "../../stages/model/losses.ts";
import { buildUNet } from "../../stages/model/unet.ts";

const NUM_CLASSES = 6;

const { values } = parseArgs({
  options: {
    backend: { type: "string", default: "wasm" },
    threads: { type: "string", default: "1" },
    size: { type: "string", default: "128" },
    batch: { type: "string", default: "4" },
    top: { type: "string", default: "15" },
    kernel: { type: "string" },
  },
});
const size = Number(values.size);
const batch = Number(values.batch);

await initBackend(values.backend as BackendRequest, console, { threads: Number(values.threads) });
const model = buildUNet({ numClasses: NUM_CLASSES, inputSize: size, seed: 0 });
const optimizer = tf.train.adam(1e-3);
const images = tf.randomNormal([batch, size, size, 1], 0, 1, "float32", 1);
const targets = tf.oneHot(tf.randomUniform([batch, size, size], 0, NUM_CLASSES, "int32", 2), NUM_CLASSES).toFloat() as tf.Tensor4D;
const step = () => {
  const loss = optimizer.minimize(() => crossEntropy(targets, model.apply(images, { training: true }) as tf.Tensor4D), true);
  loss?.dataSync();
  tf.dispose(loss ?? []);
};

step();
const start = performance.now();
const profile = await tf.profile(step);
const totalMs = performance.now() - start;

for (const kernel of profile.kernels.filter((k) => k.name === values.kernel)) {
  console.log(`  ${kernel.name} ${JSON.stringify(kernel.inputShapes)} ${(kernel.kernelTimeMs as number).toFixed(1)} ms`);
}
const byKernel = new Map<string, { ms: number; calls: number }>();
for (const kernel of profile.kernels) {
  const entry = byKernel.get(kernel.name) ?? { ms: 0, calls: 0 };
  entry.ms += kernel.kernelTimeMs as number;
  entry.calls += 1;
  byKernel.set(kernel.name, entry);
}
console.log(`${values.backend} ${size}x${size} batch ${batch}: one profiled step ${totalMs.toFixed(0)} ms`);
console.log("NOTE: a replacement kernel's time includes the kernels it runs, which are listed too.");
const sorted = [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, Number(values.top));
for (const [name, { ms, calls }] of sorted) console.log(`  ${name.padEnd(28)} ${ms.toFixed(0).padStart(6)} ms  ${calls} calls`);
