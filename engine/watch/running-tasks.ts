/**
 * The tasks `segsweep watch` is running, by task id, each with its own AbortController. A round
 * that requests a task already running under the same key joins that run; a different key
 * cancels the old run first.
 */
import type { ExecutorBackend } from "../execute/scheduler.ts";
import type { TaskSpec } from "../execute/task-spec.ts";
import type { ExecuteResult } from "./planner-protocol.ts";

interface Running {
  key: string;
  controller: AbortController;
  result: Promise<ExecuteResult>;
}

export class RunningTasks {
  private readonly running = new Map<string, Running>();

  /** `onSettled` receives every run's result once, whichever rounds joined it. */
  constructor(private readonly executor: ExecutorBackend, private readonly onSettled: (spec: TaskSpec, result: ExecuteResult) => void) {}

  /** Starts the task, or joins its run when one with the same key is going (then `joined` is true). */
  run(spec: TaskSpec): { result: Promise<ExecuteResult>; joined: boolean } {
    const current = this.running.get(spec.taskId);
    if (current?.key === spec.key) return { result: current.result, joined: true };
    current?.controller.abort(new Error(`key of ${spec.taskId} changed`));

    const controller = new AbortController();
    const entry: Running = { key: spec.key, controller, result: Promise.resolve({ status: "cancelled" }) };
    entry.result = this.executor.execute(spec, controller.signal).then((result) => {
      if (this.running.get(spec.taskId) === entry) this.running.delete(spec.taskId);
      this.onSettled(spec, result);
      return result;
    });
    this.running.set(spec.taskId, entry);
    return { result: entry.result, joined: false };
  }

  /** Cancels every run for which `keep(taskId, key)` is false; returns the cancelled task ids. */
  cancelUnless(keep: (taskId: string, key: string) => boolean): string[] {
    const cancelled: string[] = [];
    for (const [taskId, entry] of this.running) {
      if (keep(taskId, entry.key)) continue;
      entry.controller.abort(new Error(`${taskId} is stale`));
      this.running.delete(taskId);
      cancelled.push(taskId);
    }
    return cancelled;
  }

  get size(): number {
    return this.running.size;
  }

  /** Cancels everything and waits until the task processes have ended. */
  async stopAll(): Promise<void> {
    const results = [...this.running.values()].map((entry) => entry.result);
    this.cancelUnless(() => false);
    await Promise.allSettled(results);
  }
}
