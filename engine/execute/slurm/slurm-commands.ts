/**
 * The Slurm client commands the executor uses: `sbatch`, `squeue --json`, `sacct --json` and
 * `scancel`, run through execa with argument arrays (no shell), so no value from a pipeline or
 * the command line is ever parsed by a shell.
 *
 * Job ids of array elements are written `ARRAYJOB_INDEX` (for example `57_3`), as Slurm does.
 */
import { execa } from "execa";

/** Runs a Slurm client; never throws for a non-zero exit. */
async function runClient(command: string, args: string[], timeoutMs = 60_000): Promise<{ exitCode: number; stdout: string; stderr: string; detail: string }> {
  const result = await execa(command, args, { reject: false, timeout: timeoutMs });
  const stdout = String(result.stdout ?? "");
  const stderr = String(result.stderr ?? "");
  return { exitCode: result.exitCode ?? -1, stdout, stderr, detail: (stderr || stdout || result.message || "").trim() };
}

/** A job's state reduced to what the executor acts on. */
export type JobPhase = "pending" | "running" | "completed" | "failed" | "timeout" | "cancelled";

export interface JobState {
  /** `ARRAYJOB_INDEX`. */
  jobId: string;
  phase: JobPhase;
  /** Slurm's state name, such as `OUT_OF_MEMORY` or `NODE_FAIL`. */
  state: string;
  /** The batch script's exit status, when Slurm reports one. */
  exitCode?: number;
  reason?: string;
  node?: string;
}

/** Terminal and non-terminal Slurm states (Slurm 22.05 `job_state` names). */
const PHASES: Record<string, JobPhase> = {
  PENDING: "pending",
  CONFIGURING: "pending",
  REQUEUED: "pending",
  REQUEUE_HOLD: "pending",
  REQUEUE_FED: "pending",
  RESIZING: "pending",
  SUSPENDED: "pending",
  RUNNING: "running",
  COMPLETING: "running",
  STAGE_OUT: "running",
  SIGNALING: "running",
  COMPLETED: "completed",
  FAILED: "failed",
  NODE_FAIL: "failed",
  BOOT_FAIL: "failed",
  OUT_OF_MEMORY: "failed",
  DEADLINE: "failed",
  PREEMPTED: "failed",
  REVOKED: "failed",
  SPECIAL_EXIT: "failed",
  TIMEOUT: "timeout",
  CANCELLED: "cancelled",
};

/** Submits a batch script; returns the job id that `sbatch --parsable` prints. */
export async function submitBatch(options: string[], script: string, scriptArgs: string[]): Promise<string> {
  const result = await runClient("sbatch", ["--parsable", ...options, script, ...scriptArgs]);
  if (result.exitCode !== 0) throw new Error(`sbatch failed (exit ${result.exitCode}): ${result.detail}`);
  // `--parsable` prints `JOBID` or `JOBID;CLUSTER`.
  const jobId = result.stdout.trim().split(";")[0];
  if (!/^\d+$/.test(jobId)) throw new Error(`sbatch printed no job id: '${result.stdout.trim()}'`);
  return jobId;
}

/**
 * States of the elements of the given array jobs that the controller still holds (finished jobs
 * stay for `MinJobAge` seconds). Slurm 22.05 ignores `--jobs`, `--me` and `--user` together
 * with `--json`, so this reads every job and keeps the requested ones.
 * NOTE: on a large cluster that is a large document per poll; raise --poll-interval there.
 */
export async function queryQueue(arrayJobIds: Iterable<string>): Promise<Map<string, JobState>> {
  const wanted = new Set(arrayJobIds);
  const result = await runClient("squeue", ["--json", "--states=all"]);
  if (result.exitCode !== 0) throw new Error(`squeue failed (exit ${result.exitCode}): ${result.detail}`);
  const states = new Map<string, JobState>();
  for (const job of (JSON.parse(result.stdout) as { jobs: SlurmJson[] }).jobs) {
    for (const state of elementStates(job)) {
      if (wanted.has(state.jobId.split("_")[0])) states.set(state.jobId, state);
    }
  }
  return states;
}

/**
 * States from the accounting database, for jobs the controller has forgotten. Returns an empty
 * map when accounting is not configured (`sacct` then exits non-zero).
 */
export async function queryAccounting(jobIds: string[]): Promise<Map<string, JobState>> {
  const states = new Map<string, JobState>();
  if (jobIds.length === 0) return states;
  const result = await runClient("sacct", ["--json", "--jobs", jobIds.join(",")]);
  if (result.exitCode !== 0) return states;
  let jobs: SacctJson[];
  try {
    jobs = (JSON.parse(result.stdout) as { jobs: SacctJson[] }).jobs ?? [];
  } catch {
    return states;
  }
  for (const job of jobs) {
    const jobId = `${job.array?.job_id ?? job.job_id}_${job.array?.task_id ?? 0}`;
    const name = (typeof job.state?.current === "string" ? job.state.current : "").split(" ")[0];
    if (!name) continue;
    states.set(jobId, { jobId, phase: PHASES[name] ?? "failed", state: name, exitCode: job.exit_code?.return_code, node: job.nodes });
  }
  return states;
}

/** Cancels jobs or array elements; ids that no longer exist are ignored by Slurm. */
export async function cancelJobs(jobIds: string[]): Promise<void> {
  if (jobIds.length === 0) return;
  const result = await runClient("scancel", jobIds);
  if (result.exitCode !== 0) throw new Error(`scancel ${jobIds.join(" ")} failed (exit ${result.exitCode}): ${result.detail}`);
}

/** True when `squeue` runs and reaches a controller. */
export async function slurmAvailable(): Promise<{ ok: boolean; detail: string }> {
  try {
    const result = await runClient("squeue", ["--noheader", "--states=all"], 15_000);
    return { ok: result.exitCode === 0, detail: result.detail };
  } catch (error) {
    return { ok: false, detail: (error as Error).message };
  }
}

/** The fields of a `squeue --json` job record (OpenAPI v0.0.38) that the executor reads. */
interface SlurmJson {
  job_id: number;
  array_job_id: number;
  array_task_id: number | null;
  /** Indices still pending as one record, such as `0-3,5%2`; empty for a single element. */
  array_task_string: string;
  job_state: string;
  exit_code: number | null;
  state_reason: string;
  nodes: string;
}

interface SacctJson {
  job_id: number;
  array?: { job_id: number; task_id: number | null };
  state?: { current: string | string[] };
  exit_code?: { return_code?: number };
  nodes?: string;
}

function elementStates(job: SlurmJson): JobState[] {
  const state = job.job_state;
  const base = {
    phase: PHASES[state] ?? "failed",
    state,
    // squeue reports the wait status: the exit code sits in the high byte.
    exitCode: job.exit_code === null ? undefined : job.exit_code >> 8,
    reason: job.state_reason && job.state_reason !== "None" ? job.state_reason : undefined,
    node: job.nodes || undefined,
  };
  if (!job.array_job_id) return [{ jobId: `${job.job_id}_0`, ...base }];
  if (job.array_task_string) {
    return expandIndices(job.array_task_string).map((index) => ({ jobId: `${job.array_job_id}_${index}`, ...base }));
  }
  return [{ jobId: `${job.array_job_id}_${job.array_task_id ?? 0}`, ...base }];
}

/** Expands an array index expression such as `0-3,7,9-11%2` into its indices. */
export function expandIndices(text: string): number[] {
  const indices: number[] = [];
  for (const part of text.split("%")[0].split(",")) {
    const [first, last] = part.split("-").map(Number);
    if (!Number.isInteger(first)) continue;
    for (let i = first; i <= (Number.isInteger(last) ? last : first); i++) indices.push(i);
  }
  return indices;
}
