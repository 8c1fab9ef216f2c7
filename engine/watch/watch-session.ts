/**
 * `segsweep watch`: reruns the pipeline when the pipeline file, a plugin's source (or a local
 * module it imports), or an input data path changes (see watch-paths.ts for what is watched).
 *
 * Changes are debounced, and each burst starts a round (planning-round.ts). The new plan cancels
 * running tasks whose key changed, or whose key is no longer known because an input will change.
 * Tasks whose key did not change keep running. Then only tasks not in the cache run, each printed
 * with the fields of its key that changed (as `segsweep why` prints them).
 * A pipeline that does not compile prints its errors and waits for the next change.
 */
import { relative } from "node:path";
import { watch, type FSWatcher } from "chokidar";
import type { ExecutorBackend, TaskOutcome } from "../execute/scheduler.ts";
import type { ExecuteResult, PlannerStart } from "./planner-protocol.ts";
import { PlanningRound } from "./planning-round.ts";
import { RunningTasks } from "./running-tasks.ts";
import { isInside, type WatchedPaths } from "./watch-paths.ts";

export interface WatchOptions {
  pipelineFile: string;
  sets: string[];
  only: string[];
  cacheDir: string;
  executor: ExecutorBackend;
  /** Quiet time after the last change before a round starts; default 300 ms. */
  debounceMs?: number;
  /** Receives every line the session prints. */
  print: (line: string) => void;
}

export class WatchSession {
  private watcher: FSWatcher | undefined;
  private watched = new Set<string>();
  private readonly tasks: RunningTasks;
  private round: PlanningRound | undefined;
  private roundNumber = 0;
  private readonly changed = new Set<string>();
  private debounceTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: WatchOptions) {
    this.tasks = new RunningTasks(options.executor, (spec, result) => this.printResult(spec.taskId, spec.attempt, result));
  }

  /** Starts watching and runs the first round. */
  async start(): Promise<void> {
    const cacheDir = this.options.cacheDir;
    this.watcher = watch([this.options.pipelineFile], {
      ignoreInitial: true,
      // A file that an editor deletes and re-creates within this time counts as changed.
      atomic: 100,
      ignored: (path: string) => isInside(path, cacheDir),
    });
    this.watched.add(this.options.pipelineFile);
    this.watcher.on("all", (_event, path) => this.noteChange(path));
    await new Promise<void>((resolve) => this.watcher!.once("ready", () => resolve()));
    this.startRound([]);
  }

  /** Stops the watcher, the planner and every running task. */
  async stop(): Promise<void> {
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    this.round?.stop();
    await this.watcher?.close();
    await this.tasks.stopAll();
  }

  private noteChange(path: string): void {
    this.changed.add(path);
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    this.debounceTimer = setTimeout(() => {
      this.debounceTimer = undefined;
      this.startRound([...this.changed]);
    }, this.options.debounceMs ?? 300);
  }

  private startRound(changed: string[]): void {
    this.changed.clear();
    this.round?.stop();
    const number = ++this.roundNumber;
    const changedNames = changed.map((path) => relative(process.cwd(), path) || path);
    this.print(`round ${number} started${changedNames.length > 0 ? ` (changed: ${changedNames.join(", ")})` : ""}`);

    const start: PlannerStart = { type: "start", pipelineFile: this.options.pipelineFile, sets: this.options.sets, only: this.options.only, cacheDir: this.options.cacheDir };
    this.round = new PlanningRound(start, this.tasks, {
      invalid: (message) => this.print(`round ${number} stopped: the pipeline is invalid; waiting for the next change\n${message}`),
      paths: (paths) => this.updateWatched(paths),
      plan: (planned) => this.cancelStale(planned),
      execute: (taskId, reasons, joined) => {
        if (joined) this.print(`running  ${taskId}: unchanged, still running`);
        else this.print(`run      ${taskId}: ${reasons.join("; ")}`);
      },
      finished: (outcome) => this.printOutcome(outcome),
      done: (outcomes) => this.print(`round ${number} finished: ${summarize(outcomes)}; watching ${this.watched.size} paths`),
      crashed: (code) => this.print(`round ${number} stopped: the planner process exited with code ${code}; waiting for the next change`),
    });
  }

  /** Cancels running tasks that the new plan does not run under the same key. */
  private cancelStale(planned: { id: string; status: string; key?: string }[]): void {
    const plannedById = new Map(planned.map((task) => [task.id, task]));
    const cancelled = this.tasks.cancelUnless((taskId, key) => {
      const task = plannedById.get(taskId);
      return task?.status === "to-run" && task.key === key;
    });
    for (const taskId of cancelled) {
      const task = plannedById.get(taskId);
      let reason = "its inputs will change";
      if (!task) reason = "no longer in the pipeline";
      else if (task.key) reason = "its key changed";
      this.print(`cancel   ${taskId}: ${reason}`);
    }
  }

  private updateWatched(paths: WatchedPaths): void {
    const next = new Set([paths.pipelineFile, ...paths.sourceFiles, ...paths.dataPaths]);
    const added = [...next].filter((path) => !this.watched.has(path));
    const removed = [...this.watched].filter((path) => !next.has(path));
    if (added.length > 0) this.watcher!.add(added);
    if (removed.length > 0) this.watcher!.unwatch(removed);
    this.watched = next;
  }

  /** Prints how a run ended; a run may outlive the round that started it, so this is not per round. */
  private printResult(taskId: string, attempt: number, result: ExecuteResult): void {
    const seconds = result.durationMs !== undefined ? ` in ${(result.durationMs / 1000).toFixed(1)} s` : "";
    if (result.status === "ran") this.print(`finished ${taskId}${seconds}`);
    else if (result.status === "cached") this.print(`cached   ${taskId} (computed by another process meanwhile)`);
    else if (result.status === "failed") this.print(`FAILED   ${taskId}${attempt > 1 ? ` (attempt ${attempt})` : ""}: ${result.error ?? "failed"}`);
  }

  /** Prints the round's tasks that could not run; ran and failed tasks are printed by `printResult`. */
  private printOutcome(outcome: TaskOutcome): void {
    if (outcome.status === "skipped") this.print(`skipped  ${outcome.id}: ${outcome.reasons.join("; ")}`);
  }

  private print(line: string): void {
    this.options.print(`${new Date().toISOString()} ${line}`);
  }
}

function summarize(outcomes: TaskOutcome[]): string {
  const count = (status: string) => outcomes.filter((o) => o.status === status).length;
  return `${count("ran")} ran, ${count("cached")} cached, ${count("failed")} failed, ${count("skipped")} skipped, ${count("cancelled")} cancelled`;
}
