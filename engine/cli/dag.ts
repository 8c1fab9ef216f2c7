/** `segsweep dag`: the stage graph as Mermaid or Graphviz dot, with each stage's task count. */
import type { TaskGraph } from "../plan/task-graph.ts";
import { loadGraph, parseCommand, PIPELINE_OPTIONS, UsageError } from "./common.ts";

export const DAG_USAGE = `usage: segsweep dag PIPELINE [--format mermaid|dot] [--tasks] [--set NAME=VALUE]

Prints the stage graph (default Mermaid). --tasks draws one node per task instead of per stage.`;

export async function dagCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, { ...PIPELINE_OPTIONS, format: { type: "string" }, tasks: { type: "boolean" } }, DAG_USAGE);
  if (values.help) {
    process.stdout.write(`${DAG_USAGE}\n`);
    return 0;
  }
  const format = values.format ?? "mermaid";
  if (format !== "mermaid" && format !== "dot") throw new UsageError(`--format must be mermaid or dot, got '${format}'`);
  const graph = await loadGraph(positionals[0], values.set, DAG_USAGE);
  const { nodes, edges } = values.tasks ? taskEdges(graph) : stageEdges(graph);
  process.stdout.write(`${format === "dot" ? toDot(nodes, edges) : toMermaid(nodes, edges)}\n`);
  return 0;
}

type Node = { id: string; label: string };

function stageEdges(graph: TaskGraph): { nodes: Node[]; edges: [string, string][] } {
  const nodes = graph.stages.map((s) => ({ id: s.id, label: s.taskIds.length > 1 ? `${s.id} (${s.taskIds.length} tasks)` : s.id }));
  const edges = graph.stages.flatMap((s) => s.dependsOn.map((up) => [up, s.id] as [string, string]));
  return { nodes, edges };
}

function taskEdges(graph: TaskGraph): { nodes: Node[]; edges: [string, string][] } {
  const nodes = graph.order.map((id) => ({ id, label: id }));
  const edges = graph.order.flatMap((id) => graph.tasks.get(id)!.inputs.flatMap((input) => input.taskIds.map((up) => [up, id] as [string, string])));
  return { nodes, edges };
}

function toMermaid(nodes: Node[], edges: [string, string][]): string {
  const index = new Map(nodes.map((n, i) => [n.id, `n${i}`]));
  const lines = ["flowchart TD", ...nodes.map((n) => `  ${index.get(n.id)}["${n.label.replace(/"/g, "#quot;")}"]`)];
  for (const [from, to] of edges) lines.push(`  ${index.get(from)} --> ${index.get(to)}`);
  return lines.join("\n");
}

function toDot(nodes: Node[], edges: [string, string][]): string {
  const quote = (text: string) => JSON.stringify(text);
  const lines = ["digraph pipeline {", "  rankdir=TB;", ...nodes.map((n) => `  ${quote(n.id)} [label=${quote(n.label)}];`)];
  for (const [from, to] of edges) lines.push(`  ${quote(from)} -> ${quote(to)};`);
  lines.push("}");
  return lines.join("\n");
}
