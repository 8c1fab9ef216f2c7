/**
 * The task graph: one task per stage cell, edges from artifact refs. Built by
 * `pipeline/compile.ts`, keyed by `plan/key.ts`, run by the executors.
 */
import type { JsonValue, MatrixCell, Resources, StagePlugin } from "../plugin.ts";

/** One input of a task: the upstream tasks (one, or several for a fan-in) and the output it reads. */
export interface TaskInput {
  name: string;
  stageId: string;
  output: string;
  /** Upstream task ids in the upstream matrix's cell order. */
  taskIds: string[];
}

export interface Task {
  /** Readable, stable id: `stage` or `stage[axis=value,...]`. */
  id: string;
  stageId: string;
  cell: MatrixCell;
  /** The `uses:` value as written. */
  uses: string;
  /** Absolute path of the plugin's entry module. */
  entryFile: string;
  plugin: StagePlugin;
  /** Params after interpolation, validated, with the schema's defaults filled in. */
  params: Record<string, JsonValue>;
  inputs: TaskInput[];
  resources: Resources;
  retries: number;
  /** Wall-clock limit per attempt in milliseconds; undefined for none. */
  timeoutMs?: number;
}

export interface StageInfo {
  id: string;
  uses: string;
  /** Task ids of the stage, in cell order. */
  taskIds: string[];
  /** Stage ids this stage reads from. */
  dependsOn: string[];
  hasMatrix: boolean;
}

export interface TaskGraph {
  pipelineFile: string;
  /** sha256 hex of the pipeline file's bytes, for the provenance record. */
  pipelineDigest: string;
  /** Params after profiles and `--set` overrides. */
  params: Record<string, JsonValue>;
  stages: StageInfo[];
  tasks: Map<string, Task>;
  /** Task ids in a topological order (upstream before downstream). */
  order: string[];
}
