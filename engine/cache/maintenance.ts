/**
 * Cache maintenance: listing results, verifying objects against their digests, and garbage
 * collection of what no kept run references.
 */
import { readdir, readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { currentHost, digestTree, hexOf, type ResultManifest, type Store } from "./store.ts";
import { listFiles } from "./files.ts";
import type { RunRecord } from "../execute/provenance.ts";

export async function listResults(store: Store): Promise<ResultManifest[]> {
  const results: ResultManifest[] = [];
  for (const name of await readdir(join(store.root, "results"))) {
    if (!name.endsWith(".json")) continue;
    try {
      results.push(JSON.parse(await readFile(join(store.root, "results", name), "utf8")) as ResultManifest);
    } catch {
      // A result being written has a .tmp name; anything else unreadable is reported by verify.
    }
  }
  return results.sort((a, b) => a.finishedAt.localeCompare(b.finishedAt));
}

export interface VerifyReport {
  checked: number;
  corrupt: string[];
  /** Results whose output objects are missing or corrupt. */
  danglingResults: string[];
  removed: boolean;
}

/** Rehashes every object; with `remove`, deletes corrupt objects and the results that use them. */
export async function verifyStore(store: Store, remove: boolean, onProgress?: (done: number, total: number) => void): Promise<VerifyReport> {
  const objects = await readdir(join(store.root, "objects"));
  const corrupt: string[] = [];
  for (const [index, hex] of objects.entries()) {
    const digest = await digestTree(join(store.root, "objects", hex));
    if (hexOf(digest) !== hex) corrupt.push(hex);
    onProgress?.(index + 1, objects.length);
  }

  const bad = new Set(corrupt);
  const danglingResults: string[] = [];
  for (const result of await listResults(store)) {
    const broken = Object.values(result.outputs).some((digest) => bad.has(hexOf(digest)) || !objects.includes(hexOf(digest)));
    if (broken) danglingResults.push(result.key);
  }

  if (remove) {
    for (const hex of corrupt) await removeTree(join(store.root, "objects", hex));
    for (const key of danglingResults) await rm(store.resultPath(key), { force: true });
  }
  return { checked: objects.length, corrupt, danglingResults, removed: remove };
}

export interface GcReport {
  keptRuns: number;
  removedRuns: number;
  results: { count: number; bytes: number };
  objects: { count: number; bytes: number };
  items: { count: number; bytes: number };
  temporary: { count: number; bytes: number };
  /** Slurm batch folders (job logs) and spec files that no pending job record names. */
  slurm: { count: number; bytes: number };
  dryRun: boolean;
}

/**
 * Removes results, objects and logs that no kept run record references. Runs kept: all run
 * records, or the newest `keepRuns`. Item-cache entries go when none of their files is
 * hard-linked from elsewhere (link count 1), which means no object uses them any more.
 * Staging directories go when the process that made them is gone.
 */
export async function collectGarbage(store: Store, options: { dryRun: boolean; keepRuns?: number }): Promise<GcReport> {
  const runs = await readRuns(store);
  const kept = options.keepRuns === undefined ? runs : runs.slice(-options.keepRuns);
  const dropped = runs.slice(0, runs.length - kept.length);

  const keepKeys = new Set<string>();
  const keepObjects = new Set<string>();
  for (const { record } of kept) {
    for (const task of record.tasks) {
      if (task.key) keepKeys.add(task.key);
      for (const digest of Object.values(task.outputs ?? {})) keepObjects.add(hexOf(digest));
    }
  }

  const report: GcReport = {
    keptRuns: kept.length,
    removedRuns: dropped.length,
    results: { count: 0, bytes: 0 },
    objects: { count: 0, bytes: 0 },
    items: { count: 0, bytes: 0 },
    temporary: { count: 0, bytes: 0 },
    slurm: { count: 0, bytes: 0 },
    dryRun: options.dryRun,
  };
  const drop = async (path: string, tally: { count: number; bytes: number }) => {
    tally.count++;
    tally.bytes += await sizeOf(path);
    if (!options.dryRun) await removeTree(path);
  };

  for (const name of await readdir(join(store.root, "results"))) {
    const key = name.replace(/\.json$/, "");
    if (keepKeys.has(key)) continue;
    await drop(join(store.root, "results", name), report.results);
    if (!options.dryRun) await rm(store.logPath(key), { force: true });
  }
  for (const hex of await readdir(join(store.root, "objects"))) {
    if (!keepObjects.has(hex)) await drop(join(store.root, "objects", hex), report.objects);
  }
  for (const hex of await readdir(join(store.root, "items"))) {
    if (await isUnlinkedItem(join(store.root, "items", hex))) {
      await drop(join(store.root, "items", hex), report.items);
    }
  }
  for (const name of await readdir(join(store.root, "tmp"))) {
    if (isAbandonedStaging(name)) await drop(join(store.root, "tmp", name), report.temporary);
  }
  for (const path of await unreferencedSlurmFiles(store)) await drop(path, report.slurm);
  if (!options.dryRun) for (const { path } of dropped) await rm(path, { force: true });
  return report;
}

/**
 * Lists the Slurm executor's batch folders and spec files that no job record in `slurm/jobs/`
 * names. A record lives until its job finished and its log was appended to the task's log, so
 * the rest are leftovers.
 */
async function unreferencedSlurmFiles(store: Store): Promise<string[]> {
  const slurm = join(store.root, "slurm");
  const referenced = new Set<string>();
  for (const name of await readdirOrEmpty(join(slurm, "jobs"))) {
    try {
      const record = JSON.parse(await readFile(join(slurm, "jobs", name), "utf8")) as { specFile?: string; stdoutFile?: string };
      if (record.specFile) referenced.add(record.specFile);
      if (record.stdoutFile) referenced.add(join(record.stdoutFile, ".."));
    } catch {
      // A record being written; its files stay until the next gc.
      return [];
    }
  }
  const candidates = [
    ...(await readdirOrEmpty(join(slurm, "batches"))).map((name) => join(slurm, "batches", name)),
    ...(await readdirOrEmpty(join(slurm, "specs"))).map((name) => join(slurm, "specs", name)),
  ];
  return candidates.filter((path) => !referenced.has(path) && !referenced.has(path.replace(/\.exit$/, "")));
}

async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

async function readRuns(store: Store): Promise<{ path: string; record: RunRecord }[]> {
  const runs: { path: string; record: RunRecord }[] = [];
  for (const name of (await readdir(join(store.root, "runs"))).sort()) {
    if (!name.endsWith(".json")) continue;
    const path = join(store.root, "runs", name);
    try {
      runs.push({ path, record: JSON.parse(await readFile(path, "utf8")) as RunRecord });
    } catch {
      // Unreadable records keep nothing alive; they stay for the user to inspect.
    }
  }
  return runs;
}

/**
 * True when no file of the item has another hard link.
 * NOTE: a dry run removes no objects, so it lists only the items already unlinked today and
 * under-reports the item bytes that a real run would free.
 */
async function isUnlinkedItem(dir: string): Promise<boolean> {
  const files = await listFiles(dir);
  for (const rel of files) {
    if ((await stat(join(dir, rel))).nlink > 1) return false;
  }
  return true;
}

/**
 * Staging names end in `@<host>-<pid>-<random>` (see Store.makeStagingDir). A directory is
 * abandoned when its process is gone from this host. Directories of other hosts are left alone,
 * because their processes cannot be checked from here.
 */
function isAbandonedStaging(name: string): boolean {
  const match = /@([^@]+)-(\d+)-[0-9a-f]{12}$/.exec(name);
  if (!match) return true;
  if (match[1] !== currentHost()) return false;
  try {
    process.kill(Number(match[2]), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

async function sizeOf(path: string): Promise<number> {
  const info = await stat(path);
  if (!info.isDirectory()) return info.size;
  let total = 0;
  for (const rel of await listFiles(path)) total += (await stat(join(path, rel))).size;
  return total;
}

/** Removes a tree whose files and folders may be read-only. */
async function removeTree(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
}

