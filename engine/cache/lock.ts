/**
 * Per-key task locks, so that two processes sharing a cache directory (two users, two drivers,
 * a driver and a Slurm job) compute a task once: the second waits and then reads the result.
 *
 * A lock is a file created with O_EXCL that contains the owner's host and pid. The owner touches
 * it every `HEARTBEAT_MS`. A waiter breaks a lock whose owner is a dead pid on the same host, or
 * whose heartbeat is older than `STALE_MS` (an owner on another host that died).
 * Correctness never depends on the lock: publishing is atomic and content-addressed, so if two
 * processes both compute a task, the store stays consistent.
 */
import { open, readFile, rm, stat, utimes } from "node:fs/promises";
import { join } from "node:path";
import { currentHost } from "./store.ts";

const HEARTBEAT_MS = 10_000;
/** Six missed heartbeats: long enough for a busy shared file system, short enough to recover. */
const STALE_MS = 60_000;

interface LockOwner {
  host: string;
  pid: number;
  since: string;
}

export class TaskLock {
  private timer: NodeJS.Timeout | undefined;

  private constructor(readonly path: string) {}

  /** Tries once to take the lock; returns undefined when another live owner holds it. */
  static async tryAcquire(cacheDir: string, key: string): Promise<TaskLock | undefined> {
    const path = join(cacheDir, "locks", `${key}.lock`);
    const owner: LockOwner = { host: currentHost(), pid: process.pid, since: new Date().toISOString() };
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const handle = await open(path, "wx");
        await handle.writeFile(JSON.stringify(owner));
        await handle.close();
        const lock = new TaskLock(path);
        lock.startHeartbeat();
        return lock;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        if (!(await isStale(path))) return undefined;
        await rm(path, { force: true });
      }
    }
    return undefined;
  }

  /** Describes the current owner of a held lock, for "waiting for ..." log lines. */
  static async describeOwner(cacheDir: string, key: string): Promise<string> {
    try {
      const owner = JSON.parse(await readFile(join(cacheDir, "locks", `${key}.lock`), "utf8")) as LockOwner;
      return `pid ${owner.pid} on ${owner.host} since ${owner.since}`;
    } catch {
      return "another process";
    }
  }

  async release(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await rm(this.path, { force: true });
  }

  private startHeartbeat(): void {
    this.timer = setInterval(() => {
      const now = new Date();
      utimes(this.path, now, now).catch(() => {});
    }, HEARTBEAT_MS);
    this.timer.unref();
  }
}

async function isStale(path: string): Promise<boolean> {
  try {
    const [text, info] = await Promise.all([readFile(path, "utf8"), stat(path)]);
    const age = Date.now() - info.mtimeMs;
    if (age > STALE_MS) return true;
    // An owner writes its pid right after creating the file; give it a moment.
    if (text === "" && age < 5_000) return false;
    const owner = JSON.parse(text) as LockOwner;
    return owner.host === currentHost() && !isAlive(owner.pid);
  } catch {
    // Unreadable or half-written by an owner that was killed while creating it.
    return true;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
