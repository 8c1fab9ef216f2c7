/**
 * The local executor: runs each task in a forked Node process (so CPU-heavy plugins run in
 * parallel and a stuck task can be killed), within resource slots and a job limit.
 */
import { fork } from "node:child_process";
import { availableParallelism, totalmem } from "node:os";
import { writeFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import PQueue from "p-queue";
import type { Resources } from "../plugin.ts";
import type { Store } from "../cache/store.ts";
import type { ExecutorBackend } from "./scheduler.ts";
import { ResourcePool, type Grant } from "./resources.ts";
import { EXIT_TIMEOUT, type TaskMessage, type TaskSpec } from "./task-spec.ts";

const TASK_ENTRY = fileURLToPath(new URL("./exec-task-main.ts", import.meta.url));
const TSX_LOADER = import.meta.resolve("tsx");
/** Time between SIGTERM and SIGKILL when a task is cancelled. */
const KILL_GRACE_MS = 25_000;

export interface LocalExecutorOptions {
  /** Tasks at a time; default: CPU cores. */
  jobs?: number;
  /** Capacity; defaults: all cores, no GPUs unless given, 90% of physical memory. */
  capacity?: Partial<Resources>;
  onMessage?: (taskId: string, message: TaskMessage) => void;
  onWarning?: (message: string) => void;
}

export function defaultCapacity(overrides: Partial<Resources> = {}): Resources {
  return {
    cpu: overrides.cpu ?? availableParallelism(),
    gpu: overrides.gpu ?? 0,
    memory_mb: overrides.memory_mb ?? Math.floor((totalmem() / 2 ** 20) * 0.9),
  };
}

export class LocalExecutor implements ExecutorBackend {
  private readonly queue: PQueue;
  private readonly pool: ResourcePool;

  constructor(private readonly store: Store, private readonly options: LocalExecutorOptions = {}) {
    const capacity = defaultCapacity(options.capacity);
    this.queue = new PQueue({ concurrency: options.jobs ?? Math.max(1, Math.floor(capacity.cpu)) });
    this.pool = new ResourcePool(capacity);
  }

  execute(spec: TaskSpec, signal: AbortSignal): ReturnType<ExecutorBackend["execute"]> {
    return this.queue.add(async () => {
      if (signal.aborted) return { status: "cancelled" as const };
      const { request, clamped } = this.pool.fit(spec.resources);
      if (clamped.length > 0) this.options.onWarning?.(`${spec.taskId}: asks for more than this machine has (${clamped.join(", ")}); running it with what there is`);
      const grant = await this.pool.acquire(request);
      try {
        return await this.runChild({ ...spec, resources: grant.resources }, grant, signal);
      } finally {
        this.pool.release(grant);
      }
    }) as ReturnType<ExecutorBackend["execute"]>;
  }

  private async runChild(spec: TaskSpec, grant: Grant, signal: AbortSignal): ReturnType<ExecutorBackend["execute"]> {
    if (signal.aborted) return { status: "cancelled" };
    const specFile = join(await this.store.makeStagingDir(`spec-${spec.taskId}`), "task.json");
    await writeFile(specFile, JSON.stringify(spec));

    const threads = String(Math.max(1, Math.floor(grant.resources.cpu)));
    const child = fork(TASK_ENTRY, [specFile], {
      execArgv: ["--import", TSX_LOADER],
      env: {
        ...process.env,
        CUDA_VISIBLE_DEVICES: grant.gpuIds.join(","),
        OMP_NUM_THREADS: threads,
        SEGSWEEP_THREADS: threads,
      },
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });

    this.options.onMessage?.(spec.taskId, { type: "started", attempt: spec.attempt, pid: child.pid ?? 0 });
    let done: (TaskMessage & { type: "done" }) | undefined;
    let lastError = "";
    child.on("message", (message: TaskMessage) => {
      if (message.type === "done") done = message;
      if (message.type === "log" && message.level === "error") lastError = message.message.split("\n")[0];
      this.options.onMessage?.(spec.taskId, message);
    });
    forwardLines(child.stdout, (line) => this.options.onMessage?.(spec.taskId, { type: "log", level: "info", message: line }));
    forwardLines(child.stderr, (line) => this.options.onMessage?.(spec.taskId, { type: "log", level: "warn", message: line }));

    const onAbort = () => {
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), KILL_GRACE_MS).unref();
    };
    signal.addEventListener("abort", onAbort, { once: true });
    let timer: NodeJS.Timeout | undefined;
    if (spec.timeoutMs) {
      // The child stops itself at the timeout; this is the backstop if it cannot.
      timer = setTimeout(() => child.kill("SIGKILL"), spec.timeoutMs + KILL_GRACE_MS);
    }

    const code = await new Promise<number | null>((resolve) => child.on("exit", (exitCode) => resolve(exitCode)));
    signal.removeEventListener("abort", onAbort);
    if (timer) clearTimeout(timer);
    await rm(join(specFile, ".."), { recursive: true, force: true });

    if (code === 0 && done) return { status: done.status, outputs: done.outputs, durationMs: done.durationMs };
    if (signal.aborted) return { status: "cancelled" };
    if (code === EXIT_TIMEOUT) return { status: "failed", error: `timed out after ${Math.round((spec.timeoutMs ?? 0) / 1000)} s` };
    return { status: "failed", error: lastError || `task process exited with code ${code}` };
  }
}

function forwardLines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  if (!stream) return;
  let buffer = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    buffer += chunk;
    let newline: number;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (line.trim()) onLine(line);
    }
  });
  stream.on("end", () => {
    if (buffer.trim()) onLine(buffer);
  });
}
