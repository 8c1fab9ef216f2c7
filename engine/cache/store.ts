/**
 * The content-addressed store: artifact directories by content digest, result manifests by task
 * key, and each task's history of keys.
 *
 * Layout under the cache directory (default `.segsweep/` in the working directory):
 *   objects/<hex>/          artifact directories, named by their tree digest; files read-only
 *   results/<key>.json      result manifest: key manifest, output digests, timings
 *   history/<stage>/<id>.jsonl  one line per finished run of a task id (for `why` and `plan`)
 *   runs/<run-id>.json      provenance record of each `segsweep run`
 *   items/<hex>/            per-item results inside tasks (see ItemCache)
 *   checkpoints/<key>/      checkpoints that survive a killed task, removed when it succeeds
 *   locks/<key>.lock        a task being computed (see lock.ts)
 *   logs/<key>.log          the last attempt's log of each task
 *   tmp/                    staging; never trusted, cleaned by `cache gc`
 *
 * Publishing is atomic: outputs are written under tmp/, hashed, then renamed into objects/, and
 * the result manifest is written to a temporary file and renamed last. A task killed at any point
 * leaves at most unreferenced files in tmp/ or objects/, never a result manifest that points at
 * missing or partial data.
 */
import { createHash, randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { chmod, mkdir, readFile, rename, rm, stat, writeFile, appendFile } from "node:fs/promises";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { KeyManifest, TaskKey } from "../plan/key.ts";
import { hashFile, listFiles, type Digest, digestOf } from "./files.ts";

/** The record of a finished task in the store. */
export interface ResultManifest {
  key: TaskKey;
  taskId: string;
  stageId: string;
  manifest: KeyManifest;
  /** Output name to artifact digest. */
  outputs: Record<string, Digest>;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  host: string;
  attempts: number;
}

/** One line of a task's history file. */
export interface HistoryEntry {
  key: TaskKey;
  finishedAt: string;
  durationMs: number;
}

export const DEFAULT_CACHE_DIR = ".segsweep";

/** Resolves the cache directory: `--cache-dir`, then `SEGSWEEP_CACHE_DIR`, then `.segsweep/`. */
export function resolveCacheDir(flag?: string): string {
  return resolve(flag || process.env.SEGSWEEP_CACHE_DIR || DEFAULT_CACHE_DIR);
}

export class Store {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  async init(): Promise<void> {
    for (const dir of ["objects", "results", "history", "runs", "items", "checkpoints", "locks", "logs", "tmp"]) {
      await mkdir(join(this.root, dir), { recursive: true });
    }
  }

  objectPath(digest: string): string {
    return join(this.root, "objects", hexOf(digest));
  }

  resultPath(key: string): string {
    return join(this.root, "results", `${key}.json`);
  }

  checkpointDir(key: string): string {
    return join(this.root, "checkpoints", key);
  }

  logPath(key: string): string {
    return join(this.root, "logs", `${key}.log`);
  }

  historyPath(stageId: string, taskId: string): string {
    const name = createHash("sha256").update(taskId).digest("hex").slice(0, 24);
    return join(this.root, "history", stageId, `${name}.jsonl`);
  }

  /** Makes a fresh staging directory under tmp/. */
  async makeStagingDir(label: string): Promise<string> {
    const safe = label.replace(/[^A-Za-z0-9_.-]+/g, "_").slice(0, 60);
    // The host and pid in the name let `cache gc` tell abandoned staging from live staging.
    const dir = join(this.root, "tmp", `${safe}@${currentHost()}-${process.pid}-${randomBytes(6).toString("hex")}`);
    await mkdir(dir, { recursive: true });
    return dir;
  }

  /**
   * Returns the result for `key` when its manifest and every output object exist; undefined
   * otherwise. A manifest whose objects are missing (removed by hand, say) is not trusted.
   */
  async lookup(key: string): Promise<ResultManifest | undefined> {
    let result: ResultManifest;
    try {
      // Synchronous on purpose: a fully cached run does hundreds of these small reads, and the
      // libuv thread-pool round trip per read costs more than the read itself.
      result = JSON.parse(readFileSync(this.resultPath(key), "utf8")) as ResultManifest;
    } catch {
      return undefined;
    }
    for (const digest of Object.values(result.outputs)) {
      if (!existsSync(join(this.objectPath(digest), "artifact.json"))) return undefined;
    }
    return result;
  }

  /**
   * Moves a finished output directory into objects/ under its tree digest. When the object
   * already exists (another process published the same content), the staged copy is dropped.
   */
  async publishDirectory(stagedDir: string): Promise<Digest> {
    const digest = await digestTree(stagedDir);
    await makeReadOnly(stagedDir);
    const target = this.objectPath(digest);
    if (existsSync(target)) {
      await rm(stagedDir, { recursive: true, force: true });
      return digest;
    }
    try {
      await rename(stagedDir, target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "ENOTEMPTY" && code !== "EEXIST" && code !== "EPERM") throw error;
      await rm(stagedDir, { recursive: true, force: true });
    }
    return digest;
  }

  /** Writes a result manifest atomically, then appends to the task's history. */
  async recordResult(result: ResultManifest): Promise<void> {
    await writeJsonAtomic(this.resultPath(result.key), result);
    const historyFile = this.historyPath(result.stageId, result.taskId);
    await mkdir(join(historyFile, ".."), { recursive: true });
    const entry: HistoryEntry = { key: result.key, finishedAt: result.finishedAt, durationMs: result.durationMs };
    // One short line per append: O_APPEND keeps concurrent writers' lines whole.
    await appendFile(historyFile, `${JSON.stringify(entry)}\n`);
  }

  /** Returns a task's history, oldest first; unreadable lines are skipped. */
  async history(stageId: string, taskId: string): Promise<HistoryEntry[]> {
    let text: string;
    try {
      text = await readFile(this.historyPath(stageId, taskId), "utf8");
    } catch {
      return [];
    }
    const entries: HistoryEntry[] = [];
    for (const line of text.split("\n")) {
      if (!line.trim()) continue;
      try {
        entries.push(JSON.parse(line) as HistoryEntry);
      } catch {
        // A line cut short by a killed writer; the other lines still count.
      }
    }
    return entries;
  }
}

/** Writes JSON through a temporary file and a rename, so readers never see half a file. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await mkdir(join(path, ".."), { recursive: true });
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  await writeFile(temporary, `${JSON.stringify(value, null, 2)}\n`);
  await rename(temporary, path);
}

/**
 * Digest of a directory tree: sha256 over the sorted lines `<relative path>\0<file sha256>\n`.
 * Empty directories and file modes are not part of it.
 */
export async function digestTree(dir: string): Promise<Digest> {
  const hash = createHash("sha256");
  for (const rel of await listFiles(dir)) {
    hash.update(`${rel}\0${await hashFile(join(dir, rel))}\n`);
  }
  return digestOf(hash.digest("hex"));
}

async function makeReadOnly(dir: string): Promise<void> {
  for (const rel of await listFiles(dir)) {
    const file = join(dir, rel);
    const mode = (await stat(file)).mode;
    await chmod(file, mode & 0o555);
  }
}

export function hexOf(digest: string): string {
  return digest.startsWith("sha256:") ? digest.slice(7) : digest;
}

export function currentHost(): string {
  return hostname();
}
