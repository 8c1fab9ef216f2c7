/**
 * Checks backend selection on a machine without tfjs-node: `auto` must fall through to WASM,
 * log why each tfjs-node package was skipped, and `tensorflow` must fail with install advice.
 * The tests that need tfjs-node to be absent skip themselves where it is installed.
 */
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { type BackendRequest, initBackend, resolveBackend } from "../../stages/model/backend.ts";
import { buildWorkerScript } from "../../stages/model/wasm/threads-node.ts";
import { collectingLogger } from "./kernels-compare.ts";

const require = createRequire(import.meta.url);

function isInstalled(specifier: string): boolean {
  try {
    require.resolve(specifier);
    return true;
  } catch {
    return false;
  }
}

const tfjsNodeInstalled = isInstalled("@tensorflow/tfjs-node") || isInstalled("@tensorflow/tfjs-node-gpu");
const SKIP_REASON = "a tfjs-node package is installed, so auto selects it";

test("resolveBackend auto picks wasm", { skip: tfjsNodeInstalled && SKIP_REASON }, async () => {
  const resolved = await resolveBackend("auto");

  assert.deepEqual(resolved, { name: "wasm", tfjsVersion: tf.version.tfjs });
});

test("resolveBackend rejects unknown request", async () => {
  await assert.rejects(resolveBackend("gpu" as BackendRequest), /Unknown backend request "gpu"/);
});

test("initBackend tensorflow explains install", { skip: tfjsNodeInstalled && SKIP_REASON }, async () => {
  const log = collectingLogger();

  await assert.rejects(initBackend("tensorflow", log), (error: Error) => {
    assert.match(error.message, /neither tfjs-node-gpu nor tfjs-node loads/);
    assert.match(error.message, /tfjs-node-gpu: not installed/);
    assert.match(error.message, /npm install --save-exact @tensorflow\/tfjs-node@4\.22\.0/);
    assert.match(error.message, /downloads libtensorflow/);
    return true;
  });
});

test("initBackend auto falls back to wasm", { skip: tfjsNodeInstalled && SKIP_REASON }, async () => {
  const log = collectingLogger();

  const info = await initBackend("auto", log, { threads: 1 });

  assert.equal(info.name, "wasm");
  assert.equal(info.device, "cpu");
  assert.equal(info.threads, 1);
  assert.equal(info.tfjsVersion, tf.version.tfjs);
  assert.deepEqual(info.skipped.map((entry) => entry.name), ["tfjs-node-gpu", "tfjs-node"]);
  assert.ok(info.skipped.every((entry) => entry.reason === "not installed (optional dependency)"));
  assert.equal(tf.getBackend(), "wasm");
  assert.ok(log.lines.includes("info: TF.js backend tfjs-node-gpu skipped: not installed (optional dependency)"));
  assert.ok(log.lines.includes("info: TF.js backend tfjs-node skipped: not installed (optional dependency)"));
  assert.ok(log.lines.includes("info: TF.js backend wasm (tfjs 4.22.0, device cpu, 1 thread(s))"), log.lines.join("\n"));
});

test("initBackend wasm registers training kernels", async () => {
  await initBackend("wasm", collectingLogger(), { threads: 1 });

  assert.notEqual(tf.getKernel("Conv2DBackpropFilter", "wasm"), undefined);
  assert.throws(() => tf.engine().runKernel("Conv3DBackpropFilterV2", {}, {}), /disabled on the "wasm" backend/);
});

test("initBackend cpu then auto switches back", { skip: tfjsNodeInstalled && SKIP_REASON }, async () => {
  const first = await initBackend("auto", collectingLogger(), { threads: 1 });

  const cpuLog = collectingLogger();
  const cpu = await initBackend("cpu", cpuLog);
  assert.equal(cpu.name, "cpu");
  assert.equal(cpu.threads, 1);
  assert.equal(tf.getBackend(), "cpu");
  assert.ok(cpuLog.lines.some((line) => line.startsWith("warn: The pure-JS cpu backend")));

  const againLog = collectingLogger();
  const again = await initBackend("auto", againLog, { threads: 1 });
  assert.equal(again, first);
  assert.equal(tf.getBackend(), "wasm");
  assert.deepEqual(againLog.lines, []);
});

test("initBackend warns on changed threads", async () => {
  await initBackend("wasm", collectingLogger(), { threads: 1 });
  const log = collectingLogger();

  const info = await initBackend("wasm", log, { threads: 3 });

  assert.equal(info.threads, 1);
  assert.ok(log.lines.some((line) => /ignoring threads=3/.test(line)), log.lines.join("\n"));
});

test("buildWorkerScript points worker at glue file", () => {
  const workerModule = require.resolve("@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js");
  const { wasmWorkerContents } = require(workerModule) as { wasmWorkerContents: string };

  const script = buildWorkerScript(wasmWorkerContents, "/opt/glue.js");

  assert.ok(script.includes('if(true){importScripts("/opt/glue.js")}else if(typeof e.data.urlOrBlob=="string")'));
  assert.ok(!script.includes("\n"), "newlines inside string literals must be escaped");
});

test("buildWorkerScript rejects unknown worker script", () => {
  assert.throws(() => buildWorkerScript("self.onmessage=()=>{}", "/opt/glue.js"), /not the tfjs-backend-wasm 4\.22 script/);
});
