/**
 * The `sbatch` options of one job array: one element per task, all of one stage with equal
 * resources and timeout, so the request fits every element.
 */
import type { Resources } from "../../plugin.ts";

export interface ClusterOptions {
  partition?: string;
  account?: string;
  /** Passed to `sbatch` unchanged and after ours, so they can override them (`--qos=high`). */
  extraArgs?: string[];
}

export interface ArrayRequest {
  jobName: string;
  size: number;
  resources: Resources;
  /** The task's own limit; the job gets it plus `TIME_LIMIT_GRACE_MS`. */
  timeoutMs?: number;
  /** Slurm file patterns; `%A` is the array job id, `%a` the element index. */
  stdoutPattern: string;
  stderrPattern: string;
}

/**
 * Time on top of the task's timeout before Slurm kills the job: `exec-task` stops the plugin at
 * the timeout and exits after at most 20 s more; Node and tsx need a few seconds to start.
 */
export const TIME_LIMIT_GRACE_MS = 60_000;

export function sbatchOptions(request: ArrayRequest, cluster: ClusterOptions): string[] {
  const cpus = Math.max(1, Math.ceil(request.resources.cpu));
  const options = [
    `--job-name=${request.jobName}`,
    `--array=0-${request.size - 1}`,
    `--output=${request.stdoutPattern}`,
    `--error=${request.stderrPattern}`,
    "--ntasks=1",
    `--cpus-per-task=${cpus}`,
    // Thread pools (TF.js WASM, OpenMP) size themselves from these, as under the local executor.
    `--export=ALL,SEGSWEEP_THREADS=${cpus},OMP_NUM_THREADS=${cpus}`,
  ];
  if (request.resources.memory_mb > 0) options.push(`--mem=${Math.ceil(request.resources.memory_mb)}M`);
  if (request.resources.gpu > 0) options.push(`--gres=gpu:${Math.ceil(request.resources.gpu)}`);
  if (request.timeoutMs !== undefined) options.push(`--time=${timeLimitMinutes(request.timeoutMs)}`);
  if (cluster.partition) options.push(`--partition=${cluster.partition}`);
  if (cluster.account) options.push(`--account=${cluster.account}`);
  options.push(...(cluster.extraArgs ?? []));
  return options;
}

/** Whole minutes, because Slurm rounds `--time` to minutes anyway. */
export function timeLimitMinutes(timeoutMs: number): number {
  return Math.max(1, Math.ceil((timeoutMs + TIME_LIMIT_GRACE_MS) / 60_000));
}
