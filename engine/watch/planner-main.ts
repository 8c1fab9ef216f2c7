/**
 * Entry module of the planner process of `segsweep watch` (see planner-protocol.ts): compiles
 * the pipeline, reports the paths to watch and the plan, then walks the graph and requests the watch
 * process to execute each task that is not cached.
 */
import { schedule } from "../execute/scheduler.ts";
import { loadGraph, openStore } from "../cli/common.ts";
import type { TaskGraph } from "../plan/task-graph.ts";
import type { TaskSpec } from "../execute/task-spec.ts";
import type { ExecuteResult, FromPlanner, PlannerStart, ToPlanner } from "./planner-protocol.ts";
import { watchedPathsOf } from "./watch-paths.ts";

const pending = new Map<number, (result: ExecuteResult) => void>();
let nextRequestId = 1;

function send(message: FromPlanner): void {
  process.send!(message);
}

process.on("message", (message: ToPlanner) => {
  if (message.type === "start") {
    plan(message).catch((error: unknown) => {
      send({ type: "invalid", message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    });
  }
  if (message.type === "result") {
    pending.get(message.requestId)?.(message.result);
    pending.delete(message.requestId);
  }
});
// The watch process ends this process by closing the channel or by a signal.
process.on("disconnect", () => process.exit(0));

async function plan(start: PlannerStart): Promise<void> {
  let graph: TaskGraph;
  try {
    graph = await loadGraph(start.pipelineFile, start.sets, "");
  } catch (error) {
    send({ type: "invalid", message: (error as Error).message });
    return;
  }
  const store = await openStore(start.cacheDir);
  send({ type: "paths", paths: watchedPathsOf(graph, store.root) });

  const signal = new AbortController().signal;
  const planned = await schedule(graph, store, undefined, { mode: "plan", only: start.only, signal });
  send({ type: "plan", tasks: planned.map((o) => ({ id: o.id, status: o.status, key: o.key })) });

  const backend = {
    execute: (spec: TaskSpec) =>
      new Promise<ExecuteResult>((resolve) => {
        const requestId = nextRequestId++;
        pending.set(requestId, resolve);
        send({ type: "execute", requestId, spec });
      }),
  };
  const outcomes = await schedule(graph, store, backend, {
    mode: "run",
    only: start.only,
    signal,
    events: {
      taskQueued: (task, key, reasons) => send({ type: "queued", taskId: task.id, key, reasons }),
      taskFinished: (_task, outcome) => send({ type: "finished", outcome }),
    },
  });
  send({ type: "done", outcomes });
}
