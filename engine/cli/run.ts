/** `segsweep run`: runs what is not cached, then prints a summary and writes a provenance record. */
import { availableParallelism } from "node:os";
import { relative } from "node:path";
import type { Store } from "../cache/store.ts";
import type { TaskGraph } from "../plan/task-graph.ts";
import { InlineExecutor } from "../execute/inline.ts";
import { LocalExecutor } from "../execute/local.ts";
import { newRunId, writeRunRecord } from "../execute/provenance.ts";
import { schedule, selectTasks, type ExecutorBackend, type TaskOutcome } from "../execute/scheduler.ts";
import { Reporter } from "../logging/reporter.ts";
import { formatDuration, loadGraph, openStore, parseCommand, PIPELINE_OPTIONS, UsageError } from "./common.ts";
import { printPlan } from "./plan.ts";
import { makeExecutorFromOptions, EXECUTOR_OPTIONS, EXECUTOR_USAGE } from "./executors.ts";

export const RUN_USAGE = `usage: segsweep run PIPELINE [options]

Runs every task whose result is not in the cache, in dependency order.

options:
  --set NAME=VALUE    override a pipeline param (repeatable); --set profile=NAME selects a profile
  --only GLOB         run only matching tasks and what they need (repeatable); * and ? match,
                      a stage id matches all its cells
  --force GLOB        rerun matching tasks even when cached (repeatable)
  --dry-run           print the plan and run nothing
  --jobs N            tasks at a time (default: CPU cores)
  --cpus N            CPU cores to schedule (default: ${availableParallelism()})
  --gpus N            GPUs to schedule; tasks get CUDA_VISIBLE_DEVICES (default: 0)
  --memory-mb N       memory to schedule in MiB (default: 90% of physical memory)
  --cache-dir DIR     cache directory (default: $SEGSWEEP_CACHE_DIR, else .segsweep)
  --json              print the summary as JSON on stdout
  --verbose           print the tasks' log lines too
  --executor inline   run tasks one at a time inside this process (no process per task; for
                      many tiny tasks and tests)
${EXECUTOR_USAGE}`;

export async function runCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, {
    ...PIPELINE_OPTIONS,
    ...EXECUTOR_OPTIONS,
    "dry-run": { type: "boolean" },
    jobs: { type: "string" },
    cpus: { type: "string" },
    gpus: { type: "string" },
    "memory-mb": { type: "string" },
    verbose: { type: "boolean", short: "v" },
  }, RUN_USAGE);
  if (values.help) {
    process.stdout.write(`${RUN_USAGE}\n`);
    return 0;
  }
  const graph = await loadGraph(positionals[0], values.set, RUN_USAGE);
  const store = await openStore(values["cache-dir"]);
  if (values["dry-run"]) return printPlan(graph, store, { only: values.only, force: values.force, json: values.json });

  const startedAt = new Date();
  const runId = newRunId();
  const total = selectTasks(graph, values.only ?? []).size;
  const reporter = new Reporter({ live: Boolean(process.stderr.isTTY) && !values.json, verbose: Boolean(values.verbose), quiet: false });
  const controller = new AbortController();
  const stopSignals = installSignalHandlers(controller, reporter);

  const backend: ExecutorBackend = values.executor === "inline"
    ? new InlineExecutor((id, message) => reporter.taskMessage(id, message))
    : values.executor && values.executor !== "local"
    ? await makeExecutorFromOptions(values, store, reporter)
    : new LocalExecutor(store, {
        jobs: positiveNumber(values.jobs, "--jobs"),
        capacity: { cpu: positiveNumber(values.cpus, "--cpus"), gpu: wholeNumber(values.gpus, "--gpus"), memory_mb: wholeNumber(values["memory-mb"], "--memory-mb") },
        onMessage: (id, message) => reporter.taskMessage(id, message),
        onWarning: (message) => reporter.warn(message),
      });

  reporter.start(total);
  process.stderr.write(`${startedAt.toISOString()} run ${runId}: ${total} tasks of ${graph.pipelineFile}, cache ${store.root}\n`);
  let outcomes: TaskOutcome[];
  try {
    outcomes = await schedule(graph, store, backend, { mode: "run", only: values.only, force: values.force, signal: controller.signal, events: reporter });
  } finally {
    reporter.stop();
    stopSignals();
  }
  const recordPath = await writeRunRecord(store, runId, graph, outcomes, startedAt);
  printSummary(outcomes, Date.now() - startedAt.getTime(), recordPath, Boolean(values.json), runId);
  if (!values.json) printFinalOutputs(graph, outcomes, store);

  if (controller.signal.aborted) return 130;
  return outcomes.some((o) => o.status === "failed" || o.status === "skipped" || o.status === "cancelled") ? 1 : 0;
}

function printSummary(outcomes: TaskOutcome[], elapsedMs: number, recordPath: string, json: boolean, runId: string): void {
  const byStatus = (status: string) => outcomes.filter((o) => o.status === status);
  if (json) {
    const counts = Object.fromEntries(["ran", "cached", "failed", "skipped", "cancelled"].map((s) => [s, byStatus(s).length]));
    process.stdout.write(`${JSON.stringify({ runId, elapsedMs, counts, record: recordPath, tasks: outcomes }, null, 2)}\n`);
    return;
  }
  const lines = [`run ${runId} finished in ${formatDuration(elapsedMs)}: ${byStatus("ran").length} ran, ${byStatus("cached").length} cached, ${byStatus("failed").length} failed, ${byStatus("skipped").length} skipped, ${byStatus("cancelled").length} cancelled`];
  for (const o of byStatus("failed")) lines.push(`  failed   ${o.id}: ${o.reasons.join("; ")}`);
  for (const o of byStatus("skipped")) lines.push(`  skipped  ${o.id}: ${o.reasons.join("; ")}`);
  for (const o of byStatus("cancelled").slice(0, 10)) lines.push(`  cancelled ${o.id}`);
  lines.push(`provenance: ${recordPath}`);
  process.stderr.write(`${lines.join("\n")}\n`);
}

/** Prints where the outputs of the final tasks (those no selected task reads) are, so a user finds the report. */
function printFinalOutputs(graph: TaskGraph, outcomes: TaskOutcome[], store: Store): void {
  const read = new Set(outcomes.flatMap((o) => graph.tasks.get(o.id)!.inputs.flatMap((input) => input.taskIds)));
  const lines: string[] = [];
  for (const outcome of outcomes) {
    if (read.has(outcome.id) || !outcome.outputs) continue;
    for (const [name, digest] of Object.entries(outcome.outputs)) {
      lines.push(`  ${outcome.id}.${name} -> ${relative(process.cwd(), store.objectPath(digest)) || "."}`);
    }
  }
  if (lines.length > 0) process.stderr.write(`final outputs:\n${lines.slice(0, 20).join("\n")}${lines.length > 20 ? `\n  ... ${lines.length - 20} more` : ""}\n`);
}

/** First Ctrl-C or SIGTERM aborts running tasks cleanly; a second Ctrl-C exits at once. */
function installSignalHandlers(controller: AbortController, reporter: Reporter): () => void {
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts++;
    if (interrupts > 1 && signal === "SIGINT") process.exit(130);
    reporter.warn(`${signal}: stopping running tasks; nothing half-done is kept (Ctrl-C again to exit at once)`);
    controller.abort(new Error(signal));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
}

function positiveNumber(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!(value > 0)) throw new UsageError(`${flag} must be a positive number, got '${text}'`);
  return value;
}

function wholeNumber(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new UsageError(`${flag} must be a whole number of at least 0, got '${text}'`);
  return value;
}
