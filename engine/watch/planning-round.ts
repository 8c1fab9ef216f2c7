/**
 * One round of `segsweep watch`: a fresh planner process (planner-main.ts) that compiles and
 * keys the pipeline, and the watch side that runs the tasks it requests. A round is stopped when
 * a newer change starts the next one; the tasks it started keep running unless the next plan
 * makes them stale.
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { TaskOutcome } from "../execute/scheduler.ts";
import type { FromPlanner, PlannerStart } from "./planner-protocol.ts";
import type { RunningTasks } from "./running-tasks.ts";
import type { WatchedPaths } from "./watch-paths.ts";

const PLANNER_ENTRY = fileURLToPath(new URL("./planner-main.ts", import.meta.url));
const TSX_LOADER = import.meta.resolve("tsx");

export interface RoundHandlers {
  invalid(message: string): void;
  paths(paths: WatchedPaths): void;
  plan(tasks: { id: string; status: string; key?: string }[]): void;
  /** A task handed to the executor: started, or joined when already running under this key. */
  execute(taskId: string, reasons: string[], joined: boolean): void;
  finished(outcome: TaskOutcome): void;
  done(outcomes: TaskOutcome[]): void;
  /** The planner process ended without reporting a result. */
  crashed(code: number | null): void;
}

export class PlanningRound {
  private readonly child: ChildProcess;
  private stopped = false;
  private reported = false;
  private readonly reasons = new Map<string, string[]>();

  constructor(start: PlannerStart, private readonly tasks: RunningTasks, private readonly handlers: RoundHandlers) {
    this.child = fork(PLANNER_ENTRY, [], { execArgv: ["--import", TSX_LOADER], stdio: ["ignore", "inherit", "inherit", "ipc"] });
    this.child.on("message", (message: FromPlanner) => {
      if (!this.stopped) this.handle(message);
    });
    this.child.on("exit", (code) => {
      if (!this.stopped && !this.reported) handlers.crashed(code);
    });
    this.child.send(start);
  }

  /** Ends the planner; tasks it started keep running in `RunningTasks`. */
  stop(): void {
    this.stopped = true;
    if (this.child.connected) this.child.disconnect();
  }

  private handle(message: FromPlanner): void {
    switch (message.type) {
      case "invalid":
        this.reported = true;
        this.handlers.invalid(message.message);
        this.stop();
        return;
      case "paths":
        this.handlers.paths(message.paths);
        return;
      case "plan":
        this.handlers.plan(message.tasks);
        return;
      case "queued":
        this.reasons.set(message.taskId, message.reasons);
        return;
      case "execute": {
        const { result, joined } = this.tasks.run(message.spec);
        this.handlers.execute(message.spec.taskId, this.reasons.get(message.spec.taskId) ?? [], joined);
        void result.then((value) => {
          if (!this.stopped && this.child.connected) this.child.send({ type: "result", requestId: message.requestId, result: value });
        });
        return;
      }
      case "finished":
        this.handlers.finished(message.outcome);
        return;
      case "done":
        this.reported = true;
        this.handlers.done(message.outcomes);
        this.stop();
    }
  }
}
