/**
 * The provenance record of one `segsweep run`: which pipeline, code and inputs produced which
 * outputs, written to `runs/<run-id>.json` in the cache directory.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { userInfo } from "node:os";
import type { JsonValue } from "../plugin.ts";
import { currentHost, writeJsonAtomic, type Store } from "../cache/store.ts";
import type { TaskGraph } from "../plan/task-graph.ts";
import type { TaskOutcome } from "./scheduler.ts";

export interface RunRecord {
  runId: string;
  pipelineFile: string;
  pipelineDigest: string;
  /** `git rev-parse HEAD` of the pipeline's folder, with `+dirty` for uncommitted changes; null outside git. */
  gitCommit: string | null;
  host: string;
  user: string;
  argv: string[];
  params: Record<string, JsonValue>;
  startedAt: string;
  finishedAt: string;
  tasks: {
    id: string;
    status: string;
    key?: string;
    durationMs?: number;
    attempts?: number;
    outputs?: Record<string, string>;
    reasons: string[];
  }[];
}

export function newRunId(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  return `${stamp}-${randomBytes(3).toString("hex")}`;
}

export async function writeRunRecord(
  store: Store,
  runId: string,
  graph: TaskGraph,
  outcomes: TaskOutcome[],
  startedAt: Date,
): Promise<string> {
  const record: RunRecord = {
    runId,
    pipelineFile: graph.pipelineFile,
    pipelineDigest: graph.pipelineDigest,
    gitCommit: gitCommitOf(dirname(graph.pipelineFile)),
    host: currentHost(),
    user: safeUser(),
    argv: process.argv.slice(2),
    params: graph.params,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    tasks: outcomes.map((o) => ({ id: o.id, status: o.status, key: o.key, durationMs: o.durationMs, attempts: o.attempts, outputs: o.outputs, reasons: o.reasons })),
  };
  const path = join(store.root, "runs", `${runId}.json`);
  await writeJsonAtomic(path, record);
  return path;
}

function gitCommitOf(dir: string): string | null {
  try {
    const commit = execFileSync("git", ["rev-parse", "HEAD"], { cwd: dir, stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: dir, stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
    return dirty ? `${commit}+dirty` : commit;
  } catch {
    return null;
  }
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return "unknown";
  }
}
