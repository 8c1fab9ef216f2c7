/** `segsweep plan`: per stage, what is cached, what would run and why, and an estimated time. */
import type { Store } from "../cache/store.ts";
import { schedule, type TaskOutcome } from "../execute/scheduler.ts";
import type { TaskGraph } from "../plan/task-graph.ts";
import { formatDuration, loadGraph, openStore, parseCommand, PIPELINE_OPTIONS } from "./common.ts";

export const PLAN_USAGE = `usage: segsweep plan PIPELINE [options]

Shows, per stage, which tasks are cached, which would run and why, and which are blocked
behind tasks that would run, with an estimated time from earlier runs of the same stage.

options:
  --set NAME=VALUE    override a pipeline param (repeatable)
  --only GLOB         plan only matching tasks and what they need (repeatable)
  --force GLOB        treat matching tasks as not cached (repeatable)
  --cache-dir DIR     cache directory (default: $SEGSWEEP_CACHE_DIR, else .segsweep)
  --json              print the plan as JSON on stdout`;

export async function planCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, PIPELINE_OPTIONS, PLAN_USAGE);
  if (values.help) {
    process.stdout.write(`${PLAN_USAGE}\n`);
    return 0;
  }
  const graph = await loadGraph(positionals[0], values.set, PLAN_USAGE);
  const store = await openStore(values["cache-dir"]);
  return printPlan(graph, store, { only: values.only, force: values.force, json: values.json });
}

interface StagePlan {
  stage: string;
  cached: number;
  toRun: number;
  blocked: number;
  /** Median duration of the stage's earlier runs in ms, times tasks to run; null without history. */
  estimatedMs: number | null;
  tasks: TaskOutcome[];
}

export async function printPlan(graph: TaskGraph, store: Store, options: { only?: string[]; force?: string[]; json?: boolean }): Promise<number> {
  const outcomes = await schedule(graph, store, undefined, { mode: "plan", only: options.only, force: options.force, signal: new AbortController().signal });
  const plans: StagePlan[] = [];
  for (const stage of graph.stages) {
    const tasks = outcomes.filter((o) => o.stageId === stage.id);
    if (tasks.length === 0) continue;
    const toRun = tasks.filter((o) => o.status === "to-run" && o.key).length;
    const blocked = tasks.filter((o) => o.status === "to-run" && !o.key).length;
    const median = await medianDuration(store, stage.id, stage.taskIds);
    plans.push({
      stage: stage.id,
      cached: tasks.filter((o) => o.status === "cached").length,
      toRun,
      blocked,
      estimatedMs: median === null ? null : median * (toRun + blocked),
      tasks,
    });
  }

  if (options.json) {
    process.stdout.write(`${JSON.stringify({ pipeline: graph.pipelineFile, stages: plans }, null, 2)}\n`);
    return 0;
  }
  const lines: string[] = [];
  for (const plan of plans) {
    let estimate = "";
    if (plan.toRun + plan.blocked > 0) {
      estimate = plan.estimatedMs === null ? ", no earlier runs to estimate from" : `, about ${formatDuration(plan.estimatedMs)} of task time`;
    }
    lines.push(`${plan.stage}: ${plan.cached} cached, ${plan.toRun} to run, ${plan.blocked} waiting for upstream${estimate}`);
    for (const task of plan.tasks) {
      if (task.status === "cached") continue;
      lines.push(`  ${task.key ? "run " : "wait"} ${task.id}: ${task.reasons.join("; ")}`);
    }
  }
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}

async function medianDuration(store: Store, stageId: string, taskIds: string[]): Promise<number | null> {
  const durations: number[] = [];
  for (const id of taskIds) {
    for (const entry of await store.history(stageId, id)) durations.push(entry.durationMs);
  }
  if (durations.length === 0) return null;
  durations.sort((a, b) => a - b);
  return durations[Math.floor(durations.length / 2)];
}
