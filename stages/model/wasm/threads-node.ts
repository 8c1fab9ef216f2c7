/**
 * Starts the multi-threaded SIMD build of tfjs-backend-wasm 4.22 under Node.
 *
 * As shipped, tfjs-backend-wasm turns threads off under Node (its WASM_HAS_MULTITHREAD_SUPPORT
 * flag returns false there). Forcing the flag is not enough: Emscripten then starts its pthread
 * workers from a `blob:` URL, which Node's worker_threads rejects with ERR_WORKER_PATH. This
 * module writes the worker script to a temporary file and hands out that path instead.
 *
 * Two more patches apply while the backend starts and are undone afterwards:
 * - XNNPACK caps its thread pool at os.cpus().length / 2, so os.cpus() reports at least
 *   2 * threads entries during the start.
 * - Emscripten keeps every worker that runs a pthread referenced, so the process would never
 *   exit on its own; the workers are kept unreferenced.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import { join } from "node:path";
import workerThreads from "node:worker_threads";
import * as tf from "@tensorflow/tfjs";

const require = createRequire(import.meta.url);

const GLUE_MODULE = "@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js";
const WORKER_MODULE = "@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js";

/** The branch of the 4.22 worker script that loads the main script from a URL or a Blob. */
const LOAD_BRANCH = 'if(typeof e.data.urlOrBlob=="string")';

/**
 * Returns the pthread worker script with its main-script import pointed at `glueFile`.
 * `workerContents` is the script as tfjs-backend-wasm ships it; newlines inside its string
 * literals are escaped as tfjs-backend-wasm does before it makes the Blob.
 * Raises an error if the script does not contain the load branch of version 4.22.
 */
export function buildWorkerScript(workerContents: string, glueFile: string): string {
  const escaped = escapeNewlines(workerContents);
  if (!escaped.includes(LOAD_BRANCH)) {
    throw new Error(
      `The WASM worker script in ${WORKER_MODULE} has no "${LOAD_BRANCH}" branch; ` +
        `it is not the tfjs-backend-wasm 4.22 script this module patches.`,
    );
  }
  return escaped.replace(LOAD_BRANCH, `if(true){importScripts(${JSON.stringify(glueFile)})}else ${LOAD_BRANCH}`);
}

/**
 * Prepares the threaded WASM build for `threads` XNNPACK threads. Call it after importing
 * `@tensorflow/tfjs-backend-wasm` and before `tf.setBackend("wasm")`, and call the returned
 * function once that has settled. Raises an error if the worker script cannot be prepared;
 * the backend is then unchanged.
 */
export function prepareWasmThreads(threads: number): () => void {
  const glueFile = require.resolve(GLUE_MODULE);
  const workerContents = (require(WORKER_MODULE) as { wasmWorkerContents: string }).wasmWorkerContents;
  const workerFile = writeWorkerScript(buildWorkerScript(workerContents, glueFile));

  interceptWorkerBlobUrl(Buffer.byteLength(escapeNewlines(workerContents)), workerFile);
  const restoreCpus = reportAtLeastCpus(2 * threads);
  const restoreWorker = keepWorkersUnreferenced();
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", true);

  return () => {
    restoreCpus();
    restoreWorker();
  };
}

function escapeNewlines(script: string): string {
  return script.replace(/\n/g, "\\n");
}

/** Writes the script to a new temporary directory that is removed when the process exits. */
function writeWorkerScript(script: string): string {
  const dir = mkdtempSync(join(os.tmpdir(), "segsweep-wasm-threads-"));
  const file = join(dir, "tfjs-backend-wasm-threaded-simd.worker.js");
  writeFileSync(file, script);
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  return file;
}

/**
 * Makes URL.createObjectURL return `workerFile` for the worker Blob, recognized by its type and
 * byte size. This stays in place, because Emscripten starts more workers when its pool of 8 is
 * used up; every other Blob gets a normal `blob:` URL.
 */
function interceptWorkerBlobUrl(workerBytes: number, workerFile: string): void {
  const createObjectURL = URL.createObjectURL.bind(URL);
  URL.createObjectURL = (object: Blob) => {
    const isWorker = object.type === "application/javascript" && object.size === workerBytes;
    return isWorker ? workerFile : createObjectURL(object);
  };
}

function reportAtLeastCpus(count: number): () => void {
  const cpus = os.cpus;
  os.cpus = () => {
    const real = cpus();
    if (real.length >= count || real.length === 0) return real;
    return Array.from({ length: count }, (_, i) => real[i % real.length]);
  };
  return () => {
    os.cpus = cpus;
  };
}

function keepWorkersUnreferenced(): () => void {
  const Worker = workerThreads.Worker;
  // Emscripten calls ref() on a worker while it runs a pthread. XNNPACK's pthreads run until the
  // process ends and the main thread only waits for them synchronously, so the reference is
  // not needed and would keep the process alive.
  class UnreferencedWorker extends Worker {
    ref(): void {}
  }
  workerThreads.Worker = UnreferencedWorker;
  return () => {
    workerThreads.Worker = Worker;
  };
}
