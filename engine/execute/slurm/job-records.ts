/**
 * Records of submitted Slurm jobs, one file per task key under `<cache>/slurm/jobs/`, so that a
 * driver started after another one died follows the jobs still queued or running instead of
 * submitting them again. A record is removed when its job has finished and been collected.
 */
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { writeJsonAtomic } from "../../cache/store.ts";

export interface JobRecord {
  /** Array element id, `ARRAYJOB_INDEX`. */
  jobId: string;
  taskId: string;
  key: string;
  attempt: number;
  specFile: string;
  stdoutFile: string;
  stderrFile: string;
  /** ISO time of submission; a result finished before it was computed by someone else. */
  submittedAt: string;
  /** Host and pid of the driver that submitted it. */
  submittedBy: string;
}

export function slurmDir(cacheDir: string): string {
  return join(cacheDir, "slurm");
}

function recordPath(cacheDir: string, key: string): string {
  return join(slurmDir(cacheDir), "jobs", `${key}.json`);
}

export async function readJobRecord(cacheDir: string, key: string): Promise<JobRecord | undefined> {
  try {
    return JSON.parse(await readFile(recordPath(cacheDir, key), "utf8")) as JobRecord;
  } catch {
    return undefined;
  }
}

export function writeJobRecord(cacheDir: string, record: JobRecord): Promise<void> {
  return writeJsonAtomic(recordPath(cacheDir, record.key), record);
}

/** Removes the record of `key` if it still names `jobId` (a newer submission keeps its own). */
export async function removeJobRecord(cacheDir: string, key: string, jobId: string): Promise<void> {
  const current = await readJobRecord(cacheDir, key);
  if (current?.jobId === jobId) await rm(recordPath(cacheDir, key), { force: true });
}
