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
} as const;

export const EXECUTOR_USAGE = `  --executor NAME     where tasks run: local (default)`;

export async function makeExecutorFromOptions(
  values: { executor?: string },
  _store: Store,
  _reporter: Reporter,
): Promise<ExecutorBackend> {
  throw new UsageError(`unknown executor '${values.executor}'; available: local`);
}
