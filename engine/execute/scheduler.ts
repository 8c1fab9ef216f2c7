/**
 * Walks a task graph in dependency order: keys each task once its inputs' digests are known,
 * reuses cached results, hands the rest to an executor backend, and skips the dependents of
 * failed tasks. The same walk with `mode: "plan"` runs nothing and reports what would happen.
 */
import type { InputArtifact } from "../plugin.ts";
import type { Digest } from "../cache/files.ts";
import type { ResultManifest, Store } from "../cache/store.ts";
import { keyTask, type KeyInput, type KeyManifest, type TaskKey } from "../plan/key.ts";
import type { Task, TaskGraph } from "../plan/task-graph.ts";
import { diffManifests } from "../plan/why.ts";
import type { TaskSpec } from "./task-spec.ts";
import { matchesGlob } from "./globs.ts";

export type TaskStatus = "cached" | "ran" | "failed" | "skipped" | "cancelled" | "to-run";

export interface TaskOutcome {
  id: string;
  stageId: string;
  status: TaskStatus;
  key?: TaskKey;
  outputs?: Record<string, Digest>;
  durationMs?: number;
  attempts?: number;
  /** Reasons: the manifest diff that makes it run, or the cause of a skip or failure. */
  reasons: string[];
}

/** The executor interface of the scheduler: runs one spec to completion. */
export interface ExecutorBackend {
  /** Runs the task; resolves with its status. Must not throw for task failures. */
  execute(spec: TaskSpec, signal: AbortSignal): Promise<{ status: "ran" | "cached" | "failed" | "cancelled"; outputs?: Record<string, Digest>; durationMs?: number; error?: string }>;
}

export interface ScheduleEvents {
  taskCached(task: Task, key: TaskKey): void;
  taskQueued(task: Task, key: TaskKey, reasons: string[]): void;
  taskRetrying(task: Task, attempt: number, error: string): void;
  taskFinished(task: Task, outcome: TaskOutcome): void;
}

export interface ScheduleOptions {
  mode: "run" | "plan";
  /** Run only tasks matching these globs and what they depend on. */
  only?: string[];
  /** Ignore cached results of tasks matching these globs. */
  force?: string[];
  signal: AbortSignal;
  events?: Partial<ScheduleEvents>;
}

export async function schedule(graph: TaskGraph, store: Store, backend: ExecutorBackend | undefined, options: ScheduleOptions): Promise<TaskOutcome[]> {
  const selected = selectTasks(graph, options.only ?? []);
  const outcomes = new Map<string, Promise<TaskOutcome>>();

  const settle = (id: string): Promise<TaskOutcome> => {
    let outcome = outcomes.get(id);
    if (!outcome) {
      outcome = settleTask(graph, graph.tasks.get(id)!, settle, store, backend, options);
      outcomes.set(id, outcome);
    }
    return outcome;
  };
  return Promise.all(graph.order.filter((id) => selected.has(id)).map(settle));
}

/** Selects the tasks matching `only` globs plus everything upstream of them; all tasks when none. */
export function selectTasks(graph: TaskGraph, only: string[]): Set<string> {
  if (only.length === 0) return new Set(graph.order);
  const selected = new Set<string>();
  const visit = (id: string) => {
    if (selected.has(id)) return;
    selected.add(id);
    for (const input of graph.tasks.get(id)!.inputs) input.taskIds.forEach(visit);
  };
  for (const id of graph.order) if (only.some((glob) => matchesGlob(glob, id))) visit(id);
  if (selected.size === 0) throw new Error(`--only ${only.join(" ")} matches no task; task ids look like ${graph.order.slice(0, 3).join(", ")}`);
  return selected;
}

async function settleTask(
  graph: TaskGraph,
  task: Task,
  settle: (id: string) => Promise<TaskOutcome>,
  store: Store,
  backend: ExecutorBackend | undefined,
  options: ScheduleOptions,
): Promise<TaskOutcome> {
  const base = { id: task.id, stageId: task.stageId };
  const upstream = await Promise.all(task.inputs.map(async (input) => ({ input, outcomes: await Promise.all(input.taskIds.map(settle)) })));

  const blocked = upstream.flatMap(({ outcomes }) => outcomes).filter((o) => o.status !== "cached" && o.status !== "ran" && o.status !== "to-run");
  if (blocked.length > 0) {
    const status = blocked.some((o) => o.status === "cancelled") ? "cancelled" : "skipped";
    const outcome: TaskOutcome = { ...base, status, reasons: blocked.map((o) => `upstream ${o.id} ${o.status}`) };
    options.events?.taskFinished?.(task, outcome);
    return outcome;
  }
  const pending = upstream.flatMap(({ outcomes }) => outcomes).filter((o) => o.status === "to-run");
  if (pending.length > 0) {
    return { ...base, status: "to-run", reasons: [`inputs not built yet: ${pending.slice(0, 3).map((o) => o.id).join(", ")}${pending.length > 3 ? ", ..." : ""}`] };
  }

  const { keyInputs, artifacts } = describeInputs(graph, upstream, store);
  const { key, manifest } = await keyTask(task, keyInputs);
  const forced = (options.force ?? []).some((glob) => matchesGlob(glob, task.id));
  const cached = forced ? undefined : await store.lookup(key);
  if (cached) {
    options.events?.taskCached?.(task, key);
    return { ...base, status: "cached", key, outputs: cached.outputs, durationMs: 0, reasons: [] };
  }

  const reasons = forced ? ["forced with --force"] : await reasonsToRun(store, task, manifest);
  if (options.mode === "plan" || !backend) return { ...base, status: "to-run", key, reasons };
  if (options.signal.aborted) return { ...base, status: "cancelled", key, reasons: ["run interrupted"] };

  options.events?.taskQueued?.(task, key, reasons);
  const outcome = await runWithRetries(task, key, manifest, artifacts, store, backend, options, reasons, forced);
  options.events?.taskFinished?.(task, outcome);
  return outcome;
}

function describeInputs(
  graph: TaskGraph,
  upstream: { input: Task["inputs"][number]; outcomes: TaskOutcome[] }[],
  store: Store,
): { keyInputs: Record<string, KeyInput[]>; artifacts: Record<string, InputArtifact[]> } {
  const keyInputs: Record<string, KeyInput[]> = {};
  const artifacts: Record<string, InputArtifact[]> = {};
  for (const { input, outcomes } of upstream) {
    keyInputs[input.name] = [];
    artifacts[input.name] = [];
    for (const outcome of outcomes) {
      const digest = outcome.outputs![input.output];
      const cell = graph.tasks.get(outcome.id)!.cell;
      keyInputs[input.name].push({ digest, cell });
      artifacts[input.name].push({ path: store.objectPath(digest), taskId: outcome.id, cell, digest });
    }
  }
  return { keyInputs, artifacts };
}

/** Explains why a task must run: the diff against the last finished run of the same task id. */
async function reasonsToRun(store: Store, task: Task, manifest: KeyManifest): Promise<string[]> {
  const previous = await lastResult(store, task.stageId, task.id);
  if (!previous) return ["never run"];
  const reasons = diffManifests(previous.manifest, manifest);
  return reasons.length > 0 ? reasons : ["result of the same key is missing from the cache (removed or never published)"];
}

/** Returns the most recent result of a task id that is still in the store. */
export async function lastResult(store: Store, stageId: string, taskId: string): Promise<ResultManifest | undefined> {
  const history = await store.history(stageId, taskId);
  for (let i = history.length - 1; i >= 0; i--) {
    const result = await store.lookup(history[i].key);
    if (result) return result;
  }
  return undefined;
}

async function runWithRetries(
  task: Task,
  key: TaskKey,
  manifest: KeyManifest,
  inputs: Record<string, InputArtifact[]>,
  store: Store,
  backend: ExecutorBackend,
  options: ScheduleOptions,
  reasons: string[],
  force: boolean,
): Promise<TaskOutcome> {
  const base = { id: task.id, stageId: task.stageId, key };
  let lastError = "";
  for (let attempt = 1; attempt <= task.retries + 1; attempt++) {
    const spec: TaskSpec = {
      taskId: task.id,
      stageId: task.stageId,
      entryFile: task.entryFile,
      params: task.params,
      cell: task.cell,
      inputs,
      key,
      manifest,
      resources: task.resources,
      cacheDir: store.root,
      attempt,
      timeoutMs: task.timeoutMs,
      force,
    };
    const result = await backend.execute(spec, options.signal);
    if (result.status === "ran" || result.status === "cached") {
      return { ...base, status: result.status, outputs: result.outputs, durationMs: result.durationMs, attempts: attempt, reasons };
    }
    if (result.status === "cancelled" || options.signal.aborted) {
      return { ...base, status: "cancelled", attempts: attempt, reasons: ["run interrupted"] };
    }
    lastError = result.error ?? "failed";
    if (attempt <= task.retries) options.events?.taskRetrying?.(task, attempt + 1, lastError);
  }
  return { ...base, status: "failed", attempts: task.retries + 1, reasons: [lastError] };
}
