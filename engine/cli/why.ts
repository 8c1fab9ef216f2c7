/**
 * `segsweep why`: which fields of a task's key manifest differ from its last run.
 *
 *   segsweep why PIPELINE TASK_GLOB   what would make matching tasks run now
 *   segsweep why TASK_ID              why the task's last run did not reuse the run before it
 */
import { schedule } from "../execute/scheduler.ts";
import { matchesGlob } from "../execute/globs.ts";
import { diffManifests } from "../plan/why.ts";
import { loadGraph, openStore, parseCommand, PIPELINE_OPTIONS, UsageError } from "./common.ts";
import type { Store } from "../cache/store.ts";

export const WHY_USAGE = `usage: segsweep why PIPELINE TASK_GLOB [--set NAME=VALUE] [--cache-dir DIR]
       segsweep why TASK_ID [--cache-dir DIR]

With a pipeline: for each matching task, the key fields that differ from its last run
(param loss: "dice" -> "focal", input images changed, plugin source changed: stages/train/loss.ts),
or that it is cached. With a task id alone: why its last run did not reuse the run before it.`;

export async function whyCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, PIPELINE_OPTIONS, WHY_USAGE);
  if (values.help) {
    process.stdout.write(`${WHY_USAGE}\n`);
    return 0;
  }
  const store = await openStore(values["cache-dir"]);
  if (positionals.length === 1 && !/\.ya?ml$/.test(positionals[0])) return whyLastRun(store, positionals[0]);
  if (positionals.length !== 2) throw new UsageError(`expected PIPELINE TASK_GLOB or TASK_ID\n\n${WHY_USAGE}`);

  const graph = await loadGraph(positionals[0], values.set, WHY_USAGE);
  const glob = positionals[1];
  const outcomes = await schedule(graph, store, undefined, { mode: "plan", only: [glob], signal: new AbortController().signal });
  const lines: string[] = [];
  for (const outcome of outcomes.filter((o) => matchesGlob(glob, o.id))) {
    if (outcome.status === "cached") lines.push(`${outcome.id}: cached (key ${outcome.key?.slice(0, 12)}), nothing changed`);
    else lines.push(`${outcome.id}: would run because\n${outcome.reasons.map((r) => `  - ${r}`).join("\n")}`);
  }
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}

async function whyLastRun(store: Store, taskId: string): Promise<number> {
  const stageId = taskId.split("[")[0];
  const history = await store.history(stageId, taskId);
  if (history.length === 0) {
    process.stdout.write(`${taskId}: no runs recorded in ${store.root}; check the task id (segsweep plan PIPELINE lists them) or --cache-dir\n`);
    return 1;
  }
  const last = await store.lookup(history[history.length - 1].key);
  const earlier = [...history].reverse().find((entry) => entry.key !== history[history.length - 1].key);
  const before = earlier ? await store.lookup(earlier.key) : undefined;
  if (!last) {
    process.stdout.write(`${taskId}: its last result (${history[history.length - 1].key.slice(0, 12)}) is no longer in the cache\n`);
    return 1;
  }
  if (!before) {
    process.stdout.write(`${taskId}: ran once (${last.finishedAt}) with no earlier run to compare with\n`);
    return 0;
  }
  const reasons = diffManifests(before.manifest, last.manifest);
  process.stdout.write(`${taskId}: ran at ${last.finishedAt} instead of reusing the run of ${before.finishedAt} because\n${reasons.map((r) => `  - ${r}`).join("\n")}\n`);
  return 0;
}
