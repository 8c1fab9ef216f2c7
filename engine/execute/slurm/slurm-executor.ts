/**
 * The Slurm executor. It submits ready tasks with `sbatch`, each as one element of a job array
 * that runs `segsweep exec-task --spec FILE` against the shared cache directory. It follows the
 * jobs with `squeue --json` until they finish. For jobs the controller has forgotten it asks
 * `sacct --json`, then reads the exit file that the job script writes.
 *
 * Batching: tasks of one stage with equal resources and timeout that become ready within
 * `batchWindowMs` of each other go out as one job array. Dependent stages need no
 * `--dependency`: the scheduler hands a task over only once its inputs are in the cache.
 *
 * The cache directory must be on a file system that the compute nodes see at the same path,
 * and so must this project's checkout and the Node binary (`process.execPath`).
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Digest } from "../../cache/files.ts";
import { currentHost, type Store } from "../../cache/store.ts";
import type { ExecutorBackend } from "../scheduler.ts";
import { EXIT_TIMEOUT, type TaskMessage, type TaskSpec } from "../task-spec.ts";
import { collectJobLogs, JobLogTail, parseJobLines } from "./job-logs.ts";
import { readJobRecord, removeJobRecord, slurmDir, writeJobRecord, type JobRecord } from "./job-records.ts";
import { sbatchOptions, timeLimitMinutes, type ClusterOptions } from "./sbatch-options.ts";
import { cancelJobs, queryAccounting, queryQueue, submitBatch, type JobPhase, type JobState } from "./slurm-commands.ts";

const JOB_SCRIPT = fileURLToPath(new URL("./job.sh", import.meta.url));
const SEGSWEEP_CLI = fileURLToPath(new URL("../../cli/bin.js", import.meta.url));

/** Elements per job array; Slurm's default `MaxArraySize` of 1001 allows indices 0 to 1000. */
const MAX_ARRAY_SIZE = 1000;

/** How long a submitted job may be missing from squeue and sacct before it counts as lost. */
const LOST_AFTER_MS = 120_000;

type ExecuteResult = Awaited<ReturnType<ExecutorBackend["execute"]>>;

export interface SlurmExecutorOptions extends ClusterOptions {
  /** Time between `squeue` polls; default 5 s, gentle on a shared controller. */
  pollMs?: number;
  /** Time to wait for more ready tasks of a stage before submitting its array; default 1 s. */
  batchWindowMs?: number;
  onMessage?: (taskId: string, message: TaskMessage) => void;
  onWarning?: (message: string) => void;
}

/** One task handed to the executor, from waiting for its batch to its job's end. */
interface Entry {
  spec: TaskSpec;
  signal: AbortSignal;
  resolve: (result: ExecuteResult) => void;
  record?: JobRecord;
  phase?: JobPhase;
  /** Time the job was last seen in squeue or sacct, or submitted. */
  lastSeenAt: number;
  /** Follows the job's stderr, so its log lines appear while it runs. */
  tail?: JobLogTail;
  done: boolean;
}

export class SlurmExecutor implements ExecutorBackend {
  private readonly waiting = new Map<string, Entry[]>();
  private readonly tracked = new Map<string, Entry>();
  private pollTimer: NodeJS.Timeout | undefined;
  private polling = false;
  private queryFailures = 0;
  private readonly pollMs: number;
  private readonly batchWindowMs: number;

  constructor(private readonly store: Store, private readonly options: SlurmExecutorOptions = {}) {
    this.pollMs = options.pollMs ?? 5000;
    this.batchWindowMs = options.batchWindowMs ?? 1000;
  }

  async execute(spec: TaskSpec, signal: AbortSignal): Promise<ExecuteResult> {
    if (signal.aborted) return { status: "cancelled" };
    const earlier = await this.findLiveJob(spec);

    return new Promise<ExecuteResult>((resolve) => {
      const entry: Entry = { spec, signal, resolve, lastSeenAt: Date.now(), done: false };
      signal.addEventListener("abort", () => void this.cancel(entry), { once: true });
      if (earlier) {
        this.follow(entry, earlier.record, earlier.state);
      } else {
        this.enqueue(entry);
      }
    });
  }

  /** A job submitted earlier (by a driver that died, say) for this key that is still queued or running. */
  private async findLiveJob(spec: TaskSpec): Promise<{ record: JobRecord; state: JobState } | undefined> {
    const record = await readJobRecord(this.store.root, spec.key);
    if (!record) return undefined;
    try {
      const state = (await queryQueue([record.jobId.split("_")[0]])).get(record.jobId);
      if (state && (state.phase === "pending" || state.phase === "running")) return { record, state };
    } catch (error) {
      this.options.onWarning?.(`cannot check slurm job ${record.jobId} of ${spec.taskId}: ${(error as Error).message}; submitting a new job`);
    }
    await removeJobRecord(this.store.root, spec.key, record.jobId);
    return undefined;
  }

  private follow(entry: Entry, record: JobRecord, state: JobState): void {
    entry.record = record;
    entry.phase = state.phase;
    entry.tail = new JobLogTail(record.stderrFile);
    this.tracked.set(record.jobId, entry);
    this.message(entry, `following slurm job ${record.jobId} (${state.state}), submitted by ${record.submittedBy} at ${record.submittedAt}`);
    this.schedulePoll();
  }

  private enqueue(entry: Entry): void {
    const { stageId, resources, timeoutMs } = entry.spec;
    const batchKey = JSON.stringify([stageId, resources, timeoutMs ?? null]);
    let batch = this.waiting.get(batchKey);
    if (!batch) {
      const entries: Entry[] = [];
      batch = entries;
      this.waiting.set(batchKey, entries);
      setTimeout(() => this.flush(batchKey, entries), this.batchWindowMs);
    }
    batch.push(entry);
    if (batch.length >= MAX_ARRAY_SIZE) this.flush(batchKey, batch);
  }

  /** Submits a batch once, whether its window ended or it filled up first. */
  private flush(batchKey: string, batch: Entry[]): void {
    if (this.waiting.get(batchKey) !== batch) return;
    this.waiting.delete(batchKey);
    void this.submit(batch.filter((e) => !e.done));
  }

  private async submit(batch: Entry[]): Promise<void> {
    if (batch.length === 0) return;
    const first = batch[0].spec;
    const batchDir = join(slurmDir(this.store.root), "batches", `${new Date().toISOString().replace(/[:.]/g, "")}-${randomBytes(4).toString("hex")}`);
    const specDir = join(slurmDir(this.store.root), "specs");
    await mkdir(batchDir, { recursive: true });
    await mkdir(specDir, { recursive: true });

    const specFiles: string[] = [];
    for (const { spec } of batch) {
      const specFile = join(specDir, `${spec.key}-attempt${spec.attempt}.json`);
      await writeFile(specFile, JSON.stringify(spec));
      await rm(`${specFile}.exit`, { force: true });
      specFiles.push(specFile);
    }
    const listFile = join(batchDir, "specs.txt");
    await writeFile(listFile, `${specFiles.join("\n")}\n`);

    const options = sbatchOptions({
      jobName: `segsweep:${first.stageId}`,
      size: batch.length,
      resources: first.resources,
      timeoutMs: first.timeoutMs,
      stdoutPattern: join(batchDir, "%a.out"),
      stderrPattern: join(batchDir, "%a.err"),
    }, this.options);
    let arrayJobId: string;
    try {
      arrayJobId = await submitBatch(options, JOB_SCRIPT, [process.execPath, SEGSWEEP_CLI, listFile]);
    } catch (error) {
      for (const entry of batch) this.settle(entry, { status: "failed", error: (error as Error).message });
      return;
    }

    const submittedAt = new Date().toISOString();
    await Promise.all(batch.map(async (entry, index) => {
      const record: JobRecord = {
        jobId: `${arrayJobId}_${index}`,
        taskId: entry.spec.taskId,
        key: entry.spec.key,
        attempt: entry.spec.attempt,
        specFile: specFiles[index],
        stdoutFile: join(batchDir, `${index}.out`),
        stderrFile: join(batchDir, `${index}.err`),
        submittedAt,
        submittedBy: `pid ${process.pid} on ${currentHost()}`,
      };
      await writeJobRecord(this.store.root, record);
      entry.record = record;
      entry.tail = new JobLogTail(record.stderrFile);
      entry.phase = "pending";
      entry.lastSeenAt = Date.now();
      this.message(entry, `submitted as slurm job ${record.jobId} (${batch.length} in array ${arrayJobId})`);
      if (entry.done) {
        // Aborted while sbatch ran: the abort listener settled it, with no job id to cancel yet.
        await this.cancelJob(entry);
        return;
      }
      this.tracked.set(record.jobId, entry);
    }));
    this.schedulePoll();
  }

  private schedulePoll(): void {
    if (this.pollTimer || this.polling || this.tracked.size === 0) return;
    this.pollTimer = setTimeout(() => {
      this.pollTimer = undefined;
      void this.poll();
    }, this.pollMs);
  }

  private async poll(): Promise<void> {
    this.polling = true;
    try {
      const entries = [...this.tracked.values()];
      const states = await queryQueue(new Set(entries.map((e) => e.record!.jobId.split("_")[0])));
      const forgotten = entries.filter((e) => !states.has(e.record!.jobId)).map((e) => e.record!.jobId);
      for (const [jobId, state] of await queryAccounting(forgotten)) states.set(jobId, state);
      this.queryFailures = 0;
      for (const entry of entries) await this.update(entry, states.get(entry.record!.jobId));
    } catch (error) {
      this.queryFailures++;
      // A controller restart can take minutes, so repeats are warned about once and then every tenth time.
      if (this.queryFailures === 1 || this.queryFailures % 10 === 0) {
        this.options.onWarning?.(`cannot read job states (${this.queryFailures} time(s) in a row): ${(error as Error).message}`);
      }
    } finally {
      this.polling = false;
      this.schedulePoll();
    }
  }

  private async update(entry: Entry, state: JobState | undefined): Promise<void> {
    if (entry.done) return;
    const record = entry.record!;
    if (!state) {
      const exitCode = await readExitFile(record.specFile);
      if (exitCode !== undefined) {
        await this.finish(entry, { jobId: record.jobId, phase: exitCode === 0 ? "completed" : "failed", state: "FINISHED", exitCode });
      } else if (Date.now() - entry.lastSeenAt > LOST_AFTER_MS) {
        await this.finish(entry, { jobId: record.jobId, phase: "failed", state: "LOST" });
      }
      return;
    }

    entry.lastSeenAt = Date.now();
    if (state.phase !== entry.phase) {
      entry.phase = state.phase;
      const where = state.phase === "running" && state.node ? ` on ${state.node}` : "";
      const reason = state.phase === "pending" && state.reason ? ` (${state.reason})` : "";
      this.message(entry, `slurm job ${record.jobId} ${state.phase}${where}${reason}`);
    }
    if (state.phase === "running") await this.forwardLogLines(entry, false);
    if (state.phase !== "pending" && state.phase !== "running") await this.finish(entry, state);
  }

  private async forwardLogLines(entry: Entry, final: boolean): Promise<void> {
    const lines = await entry.tail!.readLines(final);
    for (const message of parseJobLines(lines, entry.spec.taskId).messages) this.options.onMessage?.(entry.spec.taskId, message);
  }

  /** Collects the logs of a finished job and settles its task from the cache and the job state. */
  private async finish(entry: Entry, state: JobState): Promise<void> {
    const record = entry.record!;
    this.tracked.delete(record.jobId);
    await this.forwardLogLines(entry, true);
    const logs = await collectJobLogs({ stdout: record.stdoutFile, stderr: record.stderrFile }, record.jobId, record.taskId, this.store.logPath(record.key));
    for (const message of logs.stdoutMessages) this.options.onMessage?.(record.taskId, message);
    await removeJobRecord(this.store.root, record.key, record.jobId);
    // The job's stdout and stderr stay in its batch folder for debugging.
    await rm(record.specFile, { force: true });
    await rm(`${record.specFile}.exit`, { force: true });

    const result = await this.store.lookup(record.key);
    if (state.phase === "completed" && result) {
      // Without the job's own word, a result finished before the submission was computed by
      // another driver or user meanwhile.
      const status = logs.doneStatus ?? (result.finishedAt < record.submittedAt ? "cached" : "ran");
      this.settle(entry, { status, outputs: result.outputs as Record<string, Digest>, durationMs: result.durationMs });
      return;
    }
    this.settle(entry, { status: "failed", error: describeFailure(record, state, entry.spec, logs.lastError, Boolean(result)) });
  }

  /** Cancels the task's job (or drops it from its batch) and settles it as cancelled. */
  private async cancel(entry: Entry): Promise<void> {
    if (entry.done) return;
    const record = entry.record;
    if (!record) {
      // Still waiting for its batch: `submit` skips entries that are done.
      this.settle(entry, { status: "cancelled" });
      return;
    }
    await this.cancelJob(entry);
    this.settle(entry, { status: "cancelled" });
  }

  private async cancelJob(entry: Entry): Promise<void> {
    const record = entry.record!;
    this.tracked.delete(record.jobId);
    try {
      await cancelJobs([record.jobId]);
      this.message(entry, `cancelled slurm job ${record.jobId}`);
    } catch (error) {
      this.options.onWarning?.(`${entry.spec.taskId}: ${(error as Error).message}; cancel it by hand with scancel ${record.jobId}`);
    }
    await removeJobRecord(this.store.root, record.key, record.jobId);
    await rm(record.specFile, { force: true });
  }

  private settle(entry: Entry, result: ExecuteResult): void {
    if (entry.done) return;
    entry.done = true;
    entry.resolve(result);
  }

  private message(entry: Entry, text: string): void {
    this.options.onMessage?.(entry.spec.taskId, { type: "log", level: "info", message: text });
  }
}

async function readExitFile(specFile: string): Promise<number | undefined> {
  try {
    const code = Number((await readFile(`${specFile}.exit`, "utf8")).trim());
    return Number.isInteger(code) ? code : undefined;
  } catch {
    return undefined;
  }
}

function describeFailure(record: JobRecord, state: JobState, spec: TaskSpec, lastError: string | undefined, hasResult: boolean): string {
  const job = `slurm job ${record.jobId}`;
  if (state.phase === "completed") {
    return `${job} completed but left no result for key ${record.key.slice(0, 12)} in ${spec.cacheDir}${hasResult ? "" : "; is the cache directory shared with the compute nodes at the same path?"}`;
  }
  if (state.phase === "timeout") return `${job} reached its time limit of ${timeLimitMinutes(spec.timeoutMs ?? 0)} min (TIMEOUT)`;
  if (state.phase === "cancelled") return `${job} was cancelled outside this run (scancel or an administrator)`;
  if (state.exitCode === EXIT_TIMEOUT) return `timed out after ${Math.round((spec.timeoutMs ?? 0) / 1000)} s (${job})`;
  if (state.state === "LOST") return `${job} left the queue without a state, and accounting (sacct) does not know it`;
  if (lastError) return `${lastError} (${job})`;
  const exit = state.exitCode !== undefined ? `, exit code ${state.exitCode}` : "";
  return `${job} ended ${state.state}${exit}${state.reason ? ` (${state.reason})` : ""}; its log: ${record.stderrFile}`;
}
