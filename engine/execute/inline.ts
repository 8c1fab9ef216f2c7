/**
 * The inline executor: runs tasks one at a time in the driver's own process. It skips the cost
 * of a process per task (about 0.3 s of Node and tsx start-up), which matters for many tiny
 * tasks. But a task cannot be killed, only aborted through its signal, and a plugin that blocks
 * the event loop blocks the driver. Use it for small, fast stages and for tests.
 */
import PQueue from "p-queue";
import type { ExecutorBackend } from "./scheduler.ts";
import { runTask } from "./task-runner.ts";
import type { TaskMessage, TaskSpec } from "./task-spec.ts";

export class InlineExecutor implements ExecutorBackend {
  private readonly queue = new PQueue({ concurrency: 1 });

  constructor(private readonly onMessage?: (taskId: string, message: TaskMessage) => void) {}

  execute(spec: TaskSpec, signal: AbortSignal): ReturnType<ExecutorBackend["execute"]> {
    return this.queue.add(async () => {
      if (signal.aborted) return { status: "cancelled" as const };
      this.onMessage?.(spec.taskId, { type: "started", attempt: spec.attempt, pid: process.pid });
      try {
        const done = await runTask(spec, signal, (message) => this.onMessage?.(spec.taskId, message));
        return { status: done.status, outputs: done.outputs, durationMs: done.durationMs };
      } catch (error) {
        if (signal.aborted) return { status: "cancelled" as const };
        const message = error instanceof Error ? error.message : String(error);
        this.onMessage?.(spec.taskId, { type: "log", level: "error", message: `failed: ${message}` });
        return { status: "failed" as const, error: `failed: ${message}` };
      }
    }) as ReturnType<ExecutorBackend["execute"]>;
  }
}
