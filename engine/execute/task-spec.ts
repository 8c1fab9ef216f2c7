/**
 * A task ready to run: everything a process needs to run it without the pipeline file. The local
 * executor hands it to a child process; the Slurm executor writes it next to the shared cache for
 * `segsweep exec-task` on a compute node.
 */
import type { InputArtifact, JsonValue, MatrixCell, Resources } from "../plugin.ts";
import type { KeyManifest, TaskKey } from "../plan/key.ts";
import type { Digest } from "../cache/files.ts";

export interface TaskSpec {
  taskId: string;
  stageId: string;
  /** Absolute path of the plugin's entry module. */
  entryFile: string;
  params: Record<string, JsonValue>;
  cell: MatrixCell;
  inputs: Record<string, InputArtifact[]>;
  key: TaskKey;
  manifest: KeyManifest;
  resources: Resources;
  /** Absolute cache directory. */
  cacheDir: string;
  /** 1 for the first attempt. */
  attempt: number;
  timeoutMs?: number;
  /** Compute even when a result for the key exists (`--force`). */
  force?: boolean;
}

/** Messages from a task process to the executor (over IPC, or as JSON lines in a Slurm log). */
export type TaskMessage =
  | { type: "started"; attempt: number; pid: number }
  | { type: "log"; level: "info" | "warn" | "error" | "debug"; message: string }
  | { type: "progress"; fraction: number; message?: string }
  | { type: "waiting"; owner: string }
  | { type: "done"; status: "ran" | "cached"; outputs: Record<string, Digest>; durationMs: number };

/** Exit codes of `exec-task`. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_TIMEOUT = 124;
export const EXIT_ABORTED = 130;
