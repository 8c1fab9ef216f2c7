/** Options and helpers shared by the CLI commands. */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { compilePipeline } from "../pipeline/compile.ts";
import { PipelineError } from "../pipeline/errors.ts";
import { parseOverride } from "../pipeline/params.ts";
import type { TaskGraph } from "../plan/task-graph.ts";
import { resolveCacheDir, Store } from "../cache/store.ts";

/** Exit code for an invalid pipeline or command line. */
export const EXIT_USAGE = 2;

export class UsageError extends Error {}

export const PIPELINE_OPTIONS = {
  set: { type: "string", multiple: true },
  only: { type: "string", multiple: true },
  force: { type: "string", multiple: true },
  "cache-dir": { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsConfig["options"];

export function parseCommand<T extends NonNullable<ParseArgsConfig["options"]>>(args: string[], options: T, usage: string) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${usage}`);
  }
}

export async function loadGraph(pipeline: string | undefined, sets: string[] | undefined, usage: string): Promise<TaskGraph> {
  if (!pipeline) throw new UsageError(`missing PIPELINE argument\n\n${usage}`);
  const overrides = (sets ?? []).map((text) => {
    try {
      return parseOverride(text);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  });
  return compilePipeline(pipeline, { overrides });
}

export async function openStore(cacheDir: string | undefined): Promise<Store> {
  const store = new Store(resolveCacheDir(cacheDir));
  await store.init();
  return store;
}

/** Prints an error the way each kind deserves and returns the exit code. */
export function reportError(error: unknown): number {
  if (error instanceof PipelineError || error instanceof UsageError) {
    process.stderr.write(`segsweep: ${error.message}\n`);
    return EXIT_USAGE;
  }
  process.stderr.write(`segsweep: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 1;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 90) return `${seconds.toFixed(1)} s`;
  const minutes = seconds / 60;
  if (minutes < 90) return `${minutes.toFixed(1)} min`;
  return `${(minutes / 60).toFixed(1)} h`;
}
