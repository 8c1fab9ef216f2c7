/**
 * A temporary workspace for engine tests: the test plugins copied in, pipeline files written
 * from strings, and the real `segsweep` CLI run as a child process.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const CLI = fileURLToPath(new URL("../../engine/cli/bin.js", import.meta.url));
const FIXTURE_PLUGINS = fileURLToPath(new URL("../fixtures/plugins/", import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export class Workspace {
  readonly dir: string;

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), "segsweep-ws-"));
    for (const file of ["write-text.ts", "helper.ts"]) copyFileSync(join(FIXTURE_PLUGINS, file), join(this.dir, file));
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  write(name: string, text: string): string {
    writeFileSync(this.path(name), text);
    return this.path(name);
  }

  read(name: string): string {
    return readFileSync(this.path(name), "utf8");
  }

  /** Lines appended by write-text's `count_file` param: one task id per run. */
  runsRecorded(name = "count.txt"): string[] {
    try {
      return this.read(name).split("\n").filter(Boolean);
    } catch {
      return [];
    }
  }

  start(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
    return spawn(process.execPath, [CLI, ...args], { cwd: this.dir, env: withoutCacheDir({ ...process.env, ...env }), stdio: ["ignore", "pipe", "pipe"] });
  }

  async cli(...args: string[]): Promise<CliResult> {
    const child = this.start(args);
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (chunk) => (stdout += chunk));
    child.stderr!.on("data", (chunk) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    return { code, stdout, stderr };
  }
}

/** Removes SEGSWEEP_CACHE_DIR, so the tests' cache is the workspace's own `.segsweep/`. */
function withoutCacheDir(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  delete copy.SEGSWEEP_CACHE_DIR;
  return copy;
}
