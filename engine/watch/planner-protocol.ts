/**
 * Messages between `segsweep watch` and its planner process. Each round of the watch forks a
 * fresh planner, because Node caches ES modules for the life of a process: only a new process
 * imports the edited plugin code and reads its params schema, inputs and outputs anew.
 * The planner compiles and keys the pipeline. The watch process runs the tasks, so a task whose
 * key did not change keeps running from one round to the next.
 */
import type { ExecutorBackend, TaskOutcome, TaskStatus } from "../execute/scheduler.ts";
import type { TaskSpec } from "../execute/task-spec.ts";
import type { WatchedPaths } from "./watch-paths.ts";

export type ExecuteResult = Awaited<ReturnType<ExecutorBackend["execute"]>>;

/** From the watch process, once, right after the fork. */
export interface PlannerStart {
  type: "start";
  pipelineFile: string;
  /** `--set` values as written, `NAME=VALUE`. */
  sets: string[];
  only: string[];
  cacheDir: string;
}

export interface PlannerResult {
  type: "result";
  requestId: number;
  result: ExecuteResult;
}

export type ToPlanner = PlannerStart | PlannerResult;

export type FromPlanner =
  /** The pipeline did not compile; the message names file, line and column. */
  | { type: "invalid"; message: string }
  | { type: "paths"; paths: WatchedPaths }
  /** Every selected task with its key where the inputs are known; sent before any `execute`. */
  | { type: "plan"; tasks: { id: string; status: TaskStatus; key?: string }[] }
  | { type: "queued"; taskId: string; key: string; reasons: string[] }
  | { type: "execute"; requestId: number; spec: TaskSpec }
  | { type: "finished"; outcome: TaskOutcome }
  | { type: "done"; outcomes: TaskOutcome[] };
