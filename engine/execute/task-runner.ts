/**
 * Runs one task in the current process: take the key's lock (or wait for the process holding it),
 * run the plugin on fresh output directories, publish the outputs atomically, record the result.
 */
import { mkdir, rm, appendFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { OutputSummaries, StageContext, StageLogger } from "../plugin.ts";
import type { Digest } from "../cache/files.ts";
import { makeItemCache } from "../cache/item-cache.ts";
import { TaskLock } from "../cache/lock.ts";
import { currentHost, Store, type ResultManifest } from "../cache/store.ts";
import { loadPlugin } from "../pipeline/plugins.ts";
import { seedOf } from "../plan/key.ts";
import type { TaskMessage, TaskSpec } from "./task-spec.ts";

export type MessageSink = (message: TaskMessage) => void;

const LOCK_POLL_MS = 1000;

export async function runTask(spec: TaskSpec, signal: AbortSignal, send: MessageSink): Promise<TaskMessage & { type: "done" }> {
  const store = new Store(spec.cacheDir);
  await store.init();

  const lock = await acquireOrWait(store, spec, signal, send);
  if (!lock) {
    const result = (await store.lookup(spec.key))!;
    return { type: "done", status: "cached", outputs: result.outputs, durationMs: 0 };
  }
  try {
    return await runLocked(store, spec, signal, send);
  } finally {
    await lock.release();
  }
}

/** Returns the lock, or undefined when another process finished the task while we waited. */
async function acquireOrWait(store: Store, spec: TaskSpec, signal: AbortSignal, send: MessageSink): Promise<TaskLock | undefined> {
  let announced = false;
  for (;;) {
    if (!spec.force && (await store.lookup(spec.key))) return undefined;
    const lock = await TaskLock.tryAcquire(store.root, spec.key);
    if (lock) {
      // The owner may have published between our lookup and its release.
      if (!spec.force && (await store.lookup(spec.key))) {
        await lock.release();
        return undefined;
      }
      return lock;
    }
    if (!announced) {
      send({ type: "waiting", owner: await TaskLock.describeOwner(store.root, spec.key) });
      announced = true;
    }
    signal.throwIfAborted();
    await sleep(LOCK_POLL_MS, undefined, { signal });
  }
}

async function runLocked(store: Store, spec: TaskSpec, signal: AbortSignal, send: MessageSink): Promise<TaskMessage & { type: "done" }> {
  const startedAt = new Date();
  const staging = await store.makeStagingDir(spec.taskId);
  const logFile = store.logPath(spec.key);
  await writeFile(logFile, `# ${spec.taskId} attempt ${spec.attempt} on ${currentHost()} pid ${process.pid} at ${startedAt.toISOString()}\n`);
  const log = makeLogger(send, logFile);

  try {
    const { plugin } = await loadPlugin(spec.entryFile);
    const outputs: Record<string, string> = {};
    for (const name of Object.keys(plugin.outputs)) {
      outputs[name] = join(staging, "out", name);
      await mkdir(outputs[name], { recursive: true });
    }
    const scratchDir = join(staging, "scratch");
    await mkdir(scratchDir, { recursive: true });
    const checkpointDir = store.checkpointDir(spec.key);
    await mkdir(checkpointDir, { recursive: true });
    process.env.SEGSWEEP_CHECKPOINT_DIR = checkpointDir;

    const ctx: StageContext = {
      taskId: spec.taskId,
      stageId: spec.stageId,
      params: spec.params,
      cell: spec.cell,
      inputs: spec.inputs,
      outputs,
      scratchDir,
      seed: seedOf(spec.manifest),
      resources: spec.resources,
      log,
      progress: (fraction, message) => send({ type: "progress", fraction, message }),
      signal,
      items: makeItemCache(store, spec.manifest, log),
    };
    const summaries = (await plugin.run(ctx)) ?? {};
    signal.throwIfAborted();

    const published = await publishOutputs(store, plugin.outputs, outputs, summaries, spec);
    const finishedAt = new Date();
    const result: ResultManifest = {
      key: spec.key,
      taskId: spec.taskId,
      stageId: spec.stageId,
      manifest: spec.manifest,
      outputs: published,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationMs: finishedAt.getTime() - startedAt.getTime(),
      host: currentHost(),
      attempts: spec.attempt,
    };
    await store.recordResult(result);
    await rm(checkpointDir, { recursive: true, force: true });
    return { type: "done", status: "ran", outputs: published, durationMs: result.durationMs };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function publishOutputs(
  store: Store,
  specs: Record<string, { kind: string }>,
  outputs: Record<string, string>,
  summaries: OutputSummaries,
  spec: TaskSpec,
): Promise<Record<string, Digest>> {
  const published: Record<string, Digest> = {};
  for (const [name, dir] of Object.entries(outputs)) {
    // No task id or time in artifact.json: equal content must give an equal digest (early cutoff).
    const info = {
      kind: specs[name].kind,
      plugin: `${spec.manifest.plugin.name}@${spec.manifest.plugin.version}`,
      schema_version: 1,
      summary: summaries[name] ?? {},
    };
    await writeFile(join(dir, "artifact.json"), `${JSON.stringify(info, null, 2)}\n`);
    published[name] = await store.publishDirectory(dir);
  }
  return published;
}

function makeLogger(send: MessageSink, logFile: string): StageLogger {
  const emit = (level: "info" | "warn" | "error" | "debug") => (message: string) => {
    send({ type: "log", level, message });
    appendFile(logFile, `${new Date().toISOString()} ${level} ${message}\n`).catch(() => {});
  };
  return { info: emit("info"), warn: emit("warn"), error: emit("error"), debug: emit("debug") };
}
