/**
 * Checks WASM with 2 threads in a child process: the threaded build must start under Node,
 * compute the same conv2d gradients as the CPU backend, and let the process exit on its own.
 * A child process keeps the worker threads out of the test runner's process.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";

const require = createRequire(import.meta.url);
const BACKEND_MODULE = resolve("stages/model/backend.ts");
// The child script lives in a temporary directory, so it imports packages by absolute path.
const TFJS_MODULE = require.resolve("@tensorflow/tfjs");

/** The child prints one JSON line: the backend info and the relative error of dL/dW. */
const CHILD_SCRIPT = `
import * as tf from ${JSON.stringify(TFJS_MODULE)};
import { initBackend } from ${JSON.stringify(BACKEND_MODULE)};

const warnings = [];
const info = await initBackend("wasm", { info() {}, warn: (m) => warnings.push(m) }, { threads: 2 });

function weightGradient() {
  return tf.tidy(() => {
    const x = tf.randomNormal([2, 12, 10, 3], 0, 1, "float32", 1);
    const w = tf.randomNormal([3, 3, 3, 8], 0, 1, "float32", 2);
    const loss = (weights) => tf.sum(tf.square(tf.conv2d(x, weights, 1, "same")));
    return Float32Array.from(tf.grad(loss)(w).dataSync());
  });
}

const onWasm = weightGradient();
await tf.setBackend("cpu");
const onCpu = weightGradient();
let maxDiff = 0;
let scale = 0;
onCpu.forEach((value, i) => {
  maxDiff = Math.max(maxDiff, Math.abs(value - onWasm[i]));
  scale = Math.max(scale, Math.abs(value));
});
console.log(JSON.stringify({ info, warnings, error: maxDiff / scale }));
`;

test("wasm with 2 threads trains and exits", () => {
  const dir = mkdtempSync(join(tmpdir(), "segsweep-threads-test-"));
  const script = join(dir, "child.mts");
  writeFileSync(script, CHILD_SCRIPT);

  try {
    const child = spawnSync(process.execPath, ["--import", "tsx", script], {
      cwd: process.cwd(),
      encoding: "utf8",
      // A child that never exits would fail here instead of hanging the test run.
      timeout: 120_000,
    });

    assert.equal(child.signal, null, `child killed by ${child.signal}; stderr:\n${child.stderr}`);
    assert.equal(child.status, 0, `child failed; stderr:\n${child.stderr}`);
    const result = JSON.parse(child.stdout.trim().split("\n").pop() ?? "{}");
    assert.equal(result.info.name, "wasm");
    assert.equal(result.info.threads, 2, `warnings: ${result.warnings.join("; ")}`);
    assert.deepEqual(result.warnings, []);
    assert.ok(result.error <= 1e-4, `dL/dW relative error ${result.error} exceeds 1e-4`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
