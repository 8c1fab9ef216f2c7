/**
 * Times training steps of the default U-Net (buildUNet: 16-32-64-128 filters, 256 bottleneck,
 * batch norm, 6 classes) on the TF.js backend in use. In the same run it times the same network
 * in PyTorch on the CPU, then prints ms per step of both and their ratio. One step is forward,
 * cross-entropy, backward and an Adam update on a random batch.
 *
 * Usage: npx tsx bench/train-step/bench.ts [--backend auto|wasm|cpu|tensorflow] [--threads 2]
 *   [--sizes 64,128] [--batch 4] [--warmup 2] [--steps 5] [--python /usr/bin/python3]
 *
 * PyTorch runs in `--python` (default /usr/bin/python3, where Debian's python3-torch installs)
 * with torch.set_num_threads equal to `--threads`. Sizes alternate between the two frameworks so
 * that a change in machine load affects both.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { type BackendRequest, initBackend } from "../../stages/model/backend.ts";
import { crossEntropy } from "../../stages/model/losses.ts";
import { buildUNet } from "../../stages/model/unet.ts";

const NUM_CLASSES = 6;
const TORCH_SCRIPT = fileURLToPath(new URL("./unet_torch.py", import.meta.url));

interface Options {
  backend: BackendRequest;
  threads: number;
  sizes: number[];
  batch: number;
  warmup: number;
  steps: number;
  python: string;
}

interface Timing {
  medianMs: number;
  minMs: number;
  allMs: number[];
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      backend: { type: "string", default: "auto" },
      threads: { type: "string", default: String(Math.min(2, os.availableParallelism())) },
      sizes: { type: "string", default: "64,128" },
      batch: { type: "string", default: "4" },
      warmup: { type: "string", default: "2" },
      steps: { type: "string", default: "5" },
      python: { type: "string", default: existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3" },
    },
  });
  return {
    backend: values.backend as BackendRequest,
    threads: Number(values.threads),
    sizes: String(values.sizes).split(",").map(Number),
    batch: Number(values.batch),
    warmup: Number(values.warmup),
    steps: Number(values.steps),
    python: String(values.python),
  };
}

/** Times `steps` Adam steps of the U-Net on [batch, size, size, 1] input after `warmup` steps. */
function timeTfjsSteps(size: number, options: Options): Timing {
  const model = buildUNet({ numClasses: NUM_CLASSES, inputSize: size, seed: 0 });
  const optimizer = tf.train.adam(1e-3);
  const images = tf.randomNormal([options.batch, size, size, 1], 0, 1, "float32", 1);
  const labels = tf.randomUniform([options.batch, size, size], 0, NUM_CLASSES, "int32", 2);
  const targets = tf.oneHot(labels, NUM_CLASSES).toFloat() as tf.Tensor4D;

  const times: number[] = [];
  for (let i = 0; i < options.warmup + options.steps; i++) {
    const start = performance.now();
    const loss = optimizer.minimize(() => {
      const probabilities = model.apply(images, { training: true }) as tf.Tensor4D;
      return crossEntropy(targets, probabilities);
    }, true);
    loss?.dataSync();
    if (i >= options.warmup) times.push(performance.now() - start);
    tf.dispose(loss ?? []);
  }

  tf.dispose([images, labels, targets]);
  optimizer.dispose();
  model.dispose();
  return { medianMs: median(times), minMs: Math.min(...times), allMs: times.map(Math.round) };
}

/** Runs unet_torch.py for one size and returns its timing and torch version. */
function timeTorchSteps(size: number, options: Options): Timing & { torch: string } {
  const args = [
    TORCH_SCRIPT,
    `--sizes=${size}`,
    `--batch=${options.batch}`,
    `--classes=${NUM_CLASSES}`,
    `--warmup=${options.warmup}`,
    `--steps=${options.steps}`,
    `--threads=${options.threads}`,
  ];
  const child = spawnSync(options.python, args, { encoding: "utf8" });
  if (child.status !== 0) {
    throw new Error(
      `${options.python} ${TORCH_SCRIPT} failed (exit ${child.status}); is python3-torch installed? ` +
        `Pass --python PATH for another interpreter.\n${child.stderr ?? child.error}`,
    );
  }
  const output = JSON.parse(child.stdout.trim().split("\n").pop() ?? "{}");
  const result = output.results[0];
  return { medianMs: result.median_ms, minMs: Math.min(...result.all_ms), allMs: result.all_ms, torch: output.torch };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function loadAverage(): string {
  return os.loadavg().map((value) => value.toFixed(2)).join(" ");
}

async function main(): Promise<void> {
  const options = parseOptions();
  const log = { info: (m: string) => console.log(m), warn: (m: string) => console.warn(`warning: ${m}`) };
  const backend = await initBackend(options.backend, log, { threads: options.threads });

  console.log(`machine: ${os.cpus()[0]?.model ?? "unknown CPU"}, ${os.availableParallelism()} cores, Node ${process.version}`);
  console.log(`load average at start (1, 5, 15 min): ${loadAverage()}`);
  console.log(`batch ${options.batch}, ${NUM_CLASSES} classes, ${options.warmup} warm-up + ${options.steps} timed steps, median ms per step`);

  const rows: string[] = [];
  for (const size of options.sizes) {
    const tfjs = timeTfjsSteps(size, options);
    const torch = timeTorchSteps(size, options);
    console.log(`${size}x${size}: tfjs ${backend.name} ${tfjs.allMs.join(" ")} ms; torch ${torch.torch} ${torch.allMs.join(" ")} ms`);
    const medianRatio = (torch.medianMs / tfjs.medianMs).toFixed(2);
    const minRatio = (torch.minMs / tfjs.minMs).toFixed(2);
    rows.push(
      `| ${size}x${size} | ${tfjs.medianMs.toFixed(0)} (${tfjs.minMs.toFixed(0)}) | ` +
        `${torch.medianMs.toFixed(0)} (${torch.minMs.toFixed(0)}) | ${medianRatio} (${minRatio}) |`,
    );
  }

  console.log(`load average at end (1, 5, 15 min): ${loadAverage()}`);
  console.log("");
  console.log("Median (min) ms per step; the ratio is tfjs speed / PyTorch speed = PyTorch ms / tfjs ms.");
  console.log(`| size | tfjs ${backend.name} (${backend.threads} threads) | PyTorch CPU (${options.threads} threads) | ratio |`);
  console.log("|---|---|---|---|");
  for (const row of rows) console.log(row);
}

await main();
