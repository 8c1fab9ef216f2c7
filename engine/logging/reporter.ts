/**
 * Run progress for people. On a TTY it is a live view with one line per running task and the
 * overall counts, redrawn in place. Elsewhere (CI, Slurm logs, pipes) it is timestamped lines.
 * Both print what started, finished, was cached, failed and why, with the task id.
 */
import type { Task } from "../plan/task-graph.ts";
import type { TaskKey } from "../plan/key.ts";
import type { TaskOutcome } from "../execute/scheduler.ts";
import type { TaskMessage } from "../execute/task-spec.ts";

interface Running {
  startedAt: number;
  fraction?: number;
  message?: string;
}

export interface ReporterOptions {
  live: boolean;
  /** Also print the tasks' info lines (always written to the task log in the cache). */
  verbose: boolean;
  /** Print nothing at all (`--json` writes only the summary). */
  quiet: boolean;
  out?: NodeJS.WriteStream;
}

const REDRAW_MS = 250;

export class Reporter {
  private readonly running = new Map<string, Running>();
  private readonly counts = { cached: 0, ran: 0, failed: 0, skipped: 0, cancelled: 0 };
  private total = 0;
  private drawnLines = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly out: NodeJS.WriteStream;

  constructor(private readonly options: ReporterOptions) {
    this.out = options.out ?? process.stderr;
  }

  start(total: number): void {
    this.total = total;
    if (this.options.live && !this.options.quiet) {
      this.timer = setInterval(() => this.redraw(), REDRAW_MS);
      this.timer.unref();
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.clearLive();
  }

  taskCached(task: Task, key: TaskKey): void {
    this.counts.cached++;
    if (this.options.verbose) this.line(`cached   ${task.id} (key ${key.slice(0, 12)})`);
  }

  taskQueued(task: Task, key: TaskKey, reasons: string[]): void {
    this.line(`queued   ${task.id} (key ${key.slice(0, 12)}): ${reasons.slice(0, 3).join("; ")}${reasons.length > 3 ? `; +${reasons.length - 3} more` : ""}`);
  }

  taskRetrying(task: Task, attempt: number, error: string): void {
    this.line(`retrying ${task.id} (attempt ${attempt}) after: ${error}`);
  }

  taskFinished(task: Task, outcome: TaskOutcome): void {
    this.running.delete(task.id);
    if (outcome.status in this.counts) this.counts[outcome.status as keyof typeof this.counts]++;
    const seconds = outcome.durationMs !== undefined ? ` in ${(outcome.durationMs / 1000).toFixed(1)} s` : "";
    if (outcome.status === "ran") this.line(`finished ${task.id}${seconds}`);
    else if (outcome.status === "cached") this.line(`cached   ${task.id} (computed by another process meanwhile)`);
    else if (outcome.status === "failed") this.line(`FAILED   ${task.id}: ${outcome.reasons.join("; ")}`);
    else this.line(`${outcome.status.padEnd(8)} ${task.id}: ${outcome.reasons.join("; ")}`);
  }

  /** Messages from task processes. */
  taskMessage(taskId: string, message: TaskMessage): void {
    if (message.type === "started") {
      this.running.set(taskId, { startedAt: Date.now() });
      this.line(`started  ${taskId}${message.attempt > 1 ? ` (attempt ${message.attempt})` : ""} pid ${message.pid}`);
      return;
    }
    if (message.type === "progress") {
      const entry = this.ensureRunning(taskId);
      entry.fraction = message.fraction;
      entry.message = message.message;
      return;
    }
    if (message.type === "waiting") {
      this.line(`waiting  ${taskId}: ${message.owner} is computing the same task`);
      return;
    }
    if (message.type !== "log") return;
    if (message.level === "debug") return;
    if (message.message.startsWith("aborting") || message.level === "error" || message.level === "warn" || this.options.verbose || !this.options.live) {
      this.ensureRunning(taskId);
      this.line(`${message.level.padEnd(8)} ${taskId}: ${message.message}`);
    } else {
      this.ensureRunning(taskId).message = message.message;
    }
  }

  warn(message: string): void {
    this.line(`warning  ${message}`);
  }

  private ensureRunning(taskId: string): Running {
    let entry = this.running.get(taskId);
    if (!entry) {
      entry = { startedAt: Date.now() };
      this.running.set(taskId, entry);
      this.line(`started  ${taskId}`);
    }
    return entry;
  }

  private line(text: string): void {
    if (this.options.quiet) return;
    if (this.options.live) {
      this.clearLive();
      this.out.write(`${text}\n`);
      this.redraw();
    } else {
      this.out.write(`${new Date().toISOString()} ${text}\n`);
    }
  }

  private clearLive(): void {
    if (this.drawnLines > 0) this.out.write(`\x1b[${this.drawnLines}A\x1b[J`);
    this.drawnLines = 0;
  }

  private redraw(): void {
    if (!this.options.live || this.options.quiet) return;
    this.clearLive();
    const width = Math.max(40, (this.out.columns ?? 100) - 1);
    const lines: string[] = [];
    for (const [id, entry] of this.running) {
      const seconds = Math.round((Date.now() - entry.startedAt) / 1000);
      const percent = entry.fraction !== undefined ? ` ${Math.round(entry.fraction * 100)}%` : "";
      lines.push(`  ${id}${percent} ${seconds}s ${entry.message ?? ""}`.slice(0, width));
    }
    const done = this.counts.cached + this.counts.ran + this.counts.failed + this.counts.skipped + this.counts.cancelled;
    lines.push(`  [${done}/${this.total}] running ${this.running.size}, ran ${this.counts.ran}, cached ${this.counts.cached}, failed ${this.counts.failed}, skipped ${this.counts.skipped}`);
    this.out.write(`${lines.join("\n")}\n`);
    this.drawnLines = lines.length;
  }
}
