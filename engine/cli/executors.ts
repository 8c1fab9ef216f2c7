/**
 * Executor choice for `segsweep run --executor NAME`. The local executor is built in run.ts;
 * this module builds the others from their command-line options.
 */
import type { ExecutorBackend } from "../execute/scheduler.ts";
import type { Store } from "../cache/store.ts";
import type { Reporter } from "../logging/reporter.ts";
import { UsageError } from "./common.ts";

export const EXECUTOR_OPTIONS = {
  executor: { type: "string" },
  partition: { type: "string" },
  account: { type: "string" },
  "sbatch-arg": { type: "string", multiple: true },
  "poll-interval": { type: "string" },
} as const;

export const EXECUTOR_USAGE = `  --executor NAME     where tasks run: local (default) or slurm
slurm executor (the cache directory and this checkout must be on a file system the nodes share):
  --partition P       sbatch --partition
  --account A         sbatch --account
  --sbatch-arg ARG    one more sbatch option, as one argument: --sbatch-arg=--qos=high (repeatable)
  --poll-interval S   seconds between squeue polls (default: 5)`;

export interface ExecutorValues {
  executor?: string;
  partition?: string;
  account?: string;
  "sbatch-arg"?: string[];
  "poll-interval"?: string;
}

export async function makeExecutorFromOptions(values: ExecutorValues, store: Store, reporter: Reporter): Promise<ExecutorBackend> {
  if (values.executor !== "slurm") throw new UsageError(`unknown executor '${values.executor}'; available: local, slurm`);
  const { slurmAvailable } = await import("../execute/slurm/slurm-commands.ts");
  const { SlurmExecutor } = await import("../execute/slurm/slurm-executor.ts");
  const slurm = await slurmAvailable();
  if (!slurm.ok) {
    throw new UsageError(`--executor slurm needs the Slurm client commands (sbatch, squeue, scancel) on PATH and a reachable controller, but squeue failed: ${slurm.detail}; check SLURM_CONF or run from a login node`);
  }
  return new SlurmExecutor(store, {
    partition: values.partition,
    account: values.account,
    extraArgs: values["sbatch-arg"],
    pollMs: pollInterval(values["poll-interval"]),
    onMessage: (taskId, message) => reporter.taskMessage(taskId, message),
    onWarning: (message) => reporter.warn(message),
  });
}

function pollInterval(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const seconds = Number(text);
  if (!(seconds >= 0.1)) throw new UsageError(`--poll-interval must be a number of seconds of at least 0.1, got '${text}'`);
  return seconds * 1000;
}
