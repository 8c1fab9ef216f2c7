/** Cycle detection over stage dependencies. */
import type { StageInfo } from "../plan/task-graph.ts";

/** Returns one cycle as stage ids, first id repeated at the end, or undefined when there is none. */
export function findCycle(stages: StageInfo[]): string[] | undefined {
  const byId = new Map(stages.map((stage) => [stage.id, stage]));
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];

  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === "done") return undefined;
    if (state.get(id) === "visiting") return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, "visiting");
    stack.push(id);
    for (const upstream of byId.get(id)?.dependsOn ?? []) {
      const cycle = visit(upstream);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(id, "done");
    return undefined;
  };

  for (const stage of stages) {
    const cycle = visit(stage.id);
    if (cycle) return cycle.reverse();
  }
  return undefined;
}
