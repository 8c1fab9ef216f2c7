/**
 * TF.js backend selection for training and inference.
 *
 * `auto` takes the first backend that loads, in this order:
 * 1. `@tensorflow/tfjs-node-gpu` (libtensorflow with CUDA),
 * 2. `@tensorflow/tfjs-node` (libtensorflow on the CPU),
 * 3. `@tensorflow/tfjs-backend-wasm` (XNNPACK, SIMD, optional threads) with the training
 *    kernels of `./wasm/`,
 * 4. the pure-JS `cpu` backend, the slowest.
 * Both tfjs-node packages are optional dependencies whose install downloads libtensorflow, so
 * a failed import is expected and only logged.
 */
import os from "node:os";
import * as tf from "@tensorflow/tfjs";
import { registerBatchNormGrad } from "./wasm/batch-norm-grad.ts";
import { registerConv2DBackpropFilter } from "./wasm/conv2d-backprop-filter.ts";
import { prepareWasmThreads } from "./wasm/threads-node.ts";
import { registerWasmTrainingKernels } from "./wasm/training-kernels.ts";

export type BackendRequest = "auto" | "tensorflow" | "wasm" | "cpu";

export interface BackendInfo {
  /** "tensorflow-gpu" only when tfjs-node-gpu runs on a GPU; tfjs-node-gpu without one is "tensorflow". */
  name: "tensorflow" | "tensorflow-gpu" | "wasm" | "cpu";
  /** Version of @tensorflow/tfjs (the core, layers and kernels in use). */
  tfjsVersion: string;
  /** "gpu" or "cpu": where the kernels run. */
  device: string;
  /** Threads the backend computes with; 0 for libtensorflow, which sizes its own thread pools. */
  threads: number;
  /** Backends that `auto` tried before this one, with the reason each was skipped. */
  skipped: { name: string; reason: string }[];
}

export interface BackendLogger {
  info(message: string): void;
  warn(message: string): void;
}

const TFJS_NODE_PACKAGES = [
  { name: "tfjs-node-gpu", specifier: "@tensorflow/tfjs-node-gpu" },
  { name: "tfjs-node", specifier: "@tensorflow/tfjs-node" },
] as const;

const INSTALL_HINT =
  "Install one with `npm install --save-exact @tensorflow/tfjs-node@4.22.0` " +
  "(or @tensorflow/tfjs-node-gpu@4.22.0 for CUDA). Its install script downloads libtensorflow, " +
  "so the machine needs internet access during npm install. Otherwise use backend \"wasm\".";

/** Result of trying one candidate backend. */
type Probe = { ok: true; name: BackendInfo["name"]; device: string; warning?: string } | { ok: false; reason: string };

/**
 * Returns the backend that `initBackend(request)` would use, without initializing WASM or
 * training anything, for the cache key of tasks that train or predict. It does load tfjs-node
 * when installed, because only loading it shows whether libtensorflow and a GPU are present.
 * Raises the same errors as `initBackend` for an explicit request that cannot be met.
 */
export async function resolveBackend(request: BackendRequest): Promise<{ name: BackendInfo["name"]; tfjsVersion: string }> {
  const { name } = await selectBackend(request, []);
  return { name, tfjsVersion: tf.version.tfjs };
}

const initialized = new Map<BackendRequest, Promise<BackendInfo>>();

/**
 * Selects, initializes and activates the backend for `request`, and logs which one runs and why
 * each earlier `auto` candidate was skipped. Within a process a repeated request returns the
 * first result and only makes that backend active again.
 *
 * `options.threads` sets the WASM threads (default: os.availableParallelism()). WASM takes
 * the count of its first initialization in a process; a later different count is logged and
 * ignored.
 */
export async function initBackend(
  request: BackendRequest,
  log: BackendLogger,
  options: { threads?: number } = {},
): Promise<BackendInfo> {
  let pending = initialized.get(request);
  if (pending == null) {
    pending = initializeFresh(request, log, options.threads ?? os.availableParallelism());
    initialized.set(request, pending);
    pending.catch(() => initialized.delete(request));
  }
  const info = await pending;
  if (info.name === "wasm" && options.threads != null) await initWasm(options.threads, log);
  await activate(tfjsBackendName(info.name));
  return info;
}

async function initializeFresh(request: BackendRequest, log: BackendLogger, threads: number): Promise<BackendInfo> {
  const skipped: BackendInfo["skipped"] = [];
  const selected = await selectBackend(request, skipped);
  if (selected.warning != null) log.warn(selected.warning);
  let { name, device } = selected;

  let backendThreads = 0;
  if (name === "wasm") {
    try {
      backendThreads = await initWasm(threads, log);
    } catch (error) {
      // NOTE: no test starts a WASM that fails after its package loaded, so this is unexercised.
      if (request !== "auto") throw error;
      skipped.push({ name: "wasm", reason: (error as Error).message });
      name = "cpu";
      device = "cpu";
    }
  }
  if (name === "cpu") backendThreads = initCpu();
  for (const entry of skipped) log.info(`TF.js backend ${entry.name} skipped: ${entry.reason}`);
  await activate(tfjsBackendName(name));

  const info: BackendInfo = { name, tfjsVersion: tf.version.tfjs, device, threads: backendThreads, skipped };
  log.info(describe(info));
  if (name === "cpu") log.warn("The pure-JS cpu backend trains far slower than wasm; use it for tests and small runs only.");
  return info;
}

/** Tries the candidates for `request` in order, appending each failure to `skipped`. */
async function selectBackend(
  request: BackendRequest,
  skipped: BackendInfo["skipped"],
): Promise<{ name: BackendInfo["name"]; device: string; warning?: string }> {
  const candidates = candidatesFor(request);
  for (const candidate of candidates) {
    const probe = await candidate.probe();
    if (probe.ok) return { name: probe.name, device: probe.device, warning: probe.warning };
    skipped.push({ name: candidate.name, reason: probe.reason });
  }

  const reasons = skipped.map((entry) => `${entry.name}: ${entry.reason}`).join("; ");
  if (request === "tensorflow") {
    throw new Error(`Backend "tensorflow" requested, but neither tfjs-node-gpu nor tfjs-node loads (${reasons}). ${INSTALL_HINT}`);
  }
  throw new Error(`Backend "${request}" requested, but no candidate loads (${reasons}).`);
}

function candidatesFor(request: BackendRequest): { name: string; probe: () => Promise<Probe> }[] {
  const tensorflow = TFJS_NODE_PACKAGES.map((pkg) => ({ name: pkg.name, probe: () => probeTfjsNode(pkg.specifier) }));
  const wasm = { name: "wasm", probe: probeWasm };
  const cpu = { name: "cpu", probe: async (): Promise<Probe> => ({ ok: true, name: "cpu", device: "cpu" }) };

  if (request === "auto") return [...tensorflow, wasm, cpu];
  if (request === "tensorflow") return tensorflow;
  if (request === "wasm") return [wasm];
  if (request === "cpu") return [cpu];
  throw new Error(`Unknown backend request "${request}"; expected auto, tensorflow, wasm or cpu.`);
}

/**
 * Loads a tfjs-node package, which registers the "tensorflow" backend, and reports the device
 * that libtensorflow chose.
 */
async function probeTfjsNode(specifier: string): Promise<Probe> {
  try {
    await import(specifier);
  } catch (error) {
    return { ok: false, reason: importFailure(error) };
  }

  const backend = tf.findBackend("tensorflow") as (tf.KernelBackend & { isUsingGpuDevice?: boolean }) | null;
  if (backend == null) return { ok: false, reason: `${specifier} loaded but registered no "tensorflow" backend` };
  // NOTE: the tfjs-node paths have not run here, because libtensorflow cannot be installed on
  // the development machines. `isUsingGpuDevice` is the flag that tfjs-node 4.x sets from its
  // binding.
  const onGpu = backend.isUsingGpuDevice === true;
  if (specifier.endsWith("-gpu") && !onGpu) {
    return { ok: true, name: "tensorflow", device: "cpu", warning: `${specifier} loaded, but TensorFlow found no GPU; it runs on the CPU.` };
  }
  return { ok: true, name: onGpu ? "tensorflow-gpu" : "tensorflow", device: onGpu ? "gpu" : "cpu" };
}

async function probeWasm(): Promise<Probe> {
  if (typeof WebAssembly !== "object") return { ok: false, reason: "this Node has no WebAssembly" };
  try {
    await import("@tensorflow/tfjs-backend-wasm");
  } catch (error) {
    return { ok: false, reason: importFailure(error) };
  }
  return { ok: true, name: "wasm", device: "cpu" };
}

/** Returns a one-line reason for a failed import: "not installed" or the error's first line. */
function importFailure(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") return "not installed (optional dependency)";
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split("\n")[0];
  return firstLine.length > 200 ? `${firstLine.slice(0, 200)}...` : firstLine;
}

/** Requested and actual thread counts of the WASM start in this process, once it began. */
let wasmStart: { requested: number; threads: Promise<number> } | null = null;

/**
 * Registers the training kernels and starts WASM with `threads` threads, or with one thread if
 * the threaded build fails to start. Returns the thread count in use. Only the first call in a
 * process starts WASM; later calls return its thread count and log a different request.
 */
async function initWasm(threads: number, log: BackendLogger): Promise<number> {
  if (wasmStart == null) {
    wasmStart = { requested: threads, threads: startWasm(threads, log) };
    wasmStart.threads.catch(() => (wasmStart = null));
  } else if (wasmStart.requested !== threads) {
    log.warn(`WASM already started with ${wasmStart.requested} requested thread(s) in this process; ignoring threads=${threads}.`);
  }
  return wasmStart.threads;
}

async function startWasm(threads: number, log: BackendLogger): Promise<number> {
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  registerWasmTrainingKernels();

  if (threads > 1 && (await startThreadedWasm(wasm, threads, log))) {
    const started = wasm.getThreadsCount();
    if (started < threads) log.warn(`WASM started ${started} of ${threads} requested threads.`);
    return started;
  }

  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
  wasm.setThreadsCount(1);
  if (!(await tf.setBackend("wasm"))) {
    throw new Error("The WASM backend failed to initialize; the TF.js warning above gives the cause.");
  }
  return wasm.getThreadsCount();
}

/** Returns whether the threaded build started; on failure logs why and leaves WASM uninitialized. */
async function startThreadedWasm(wasm: typeof import("@tensorflow/tfjs-backend-wasm"), threads: number, log: BackendLogger): Promise<boolean> {
  let restore: () => void;
  try {
    restore = prepareWasmThreads(threads);
  } catch (error) {
    log.warn(`WASM threads unavailable, using 1 thread: ${(error as Error).message}`);
    return false;
  }

  wasm.setThreadsCount(threads);
  try {
    if (await tf.setBackend("wasm")) return true;
    log.warn("WASM threads unavailable, using 1 thread: the threaded WASM build failed to start (see the TF.js warning above).");
    return false;
  } finally {
    restore();
  }
}

/**
 * Registers the conv-based weight gradient for the pure-JS backend, whose stock kernel reads
 * each input through TensorBuffer.get and was 23x slower on a 4x32x32x16 batch, and the
 * broadcasting batch-norm gradient. Returns the thread count (1).
 */
function initCpu(): number {
  registerConv2DBackpropFilter("cpu");
  registerBatchNormGrad();
  return 1;
}

function tfjsBackendName(name: BackendInfo["name"]): string {
  return name === "tensorflow-gpu" ? "tensorflow" : name;
}

async function activate(tfjsName: string): Promise<void> {
  if (tf.getBackend() === tfjsName) return;
  if (!(await tf.setBackend(tfjsName))) {
    throw new Error(`tf.setBackend("${tfjsName}") failed; the TF.js warning above gives the cause.`);
  }
  await tf.ready();
}

function describe(info: BackendInfo): string {
  const threads = info.threads > 0 ? `, ${info.threads} thread(s)` : "";
  return `TF.js backend ${info.name} (tfjs ${info.tfjsVersion}, device ${info.device}${threads})`;
}
