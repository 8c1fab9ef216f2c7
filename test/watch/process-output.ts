/**
 * Follows the output of a running `segsweep` process in a test: collects stdout and stderr and
 * waits, with a deadline, until a pattern appears after a given offset.
 */
import type { ChildProcess } from "node:child_process";

export class ProcessOutput {
  text = "";
  exitCode: number | null | undefined;
  private readonly listeners = new Set<() => void>();
  readonly exited: Promise<number | null>;

  constructor(readonly child: ChildProcess) {
    const append = (chunk: Buffer) => {
      this.text += chunk.toString("utf8");
      for (const listener of this.listeners) listener();
    };
    child.stdout?.on("data", append);
    child.stderr?.on("data", append);
    this.exited = new Promise((resolve) => {
      child.on("exit", (code, signal) => {
        this.exitCode = code ?? (signal ? -1 : null);
        for (const listener of this.listeners) listener();
        resolve(code);
      });
    });
  }

  /**
   * Waits until `pattern` matches the output from `from` on; returns the match and the offset
   * just after it. Fails with the output so far when the deadline passes or the process exits.
   */
  waitFor(pattern: RegExp, options: { from?: number; timeoutMs?: number } = {}): Promise<{ match: RegExpExecArray; end: number }> {
    const from = options.from ?? 0;
    const timeoutMs = options.timeoutMs ?? 60_000;
    return new Promise((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(this.text.slice(from));
        if (match) {
          done();
          resolve({ match, end: from + match.index + match[0].length });
        } else if (this.exitCode !== undefined) {
          done();
          reject(new Error(`process exited (${this.exitCode}) before ${pattern} appeared; output:\n${this.text}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${pattern} did not appear within ${timeoutMs} ms; output:\n${this.text}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      check();
    });
  }

  /** Sends `signal` and waits for the exit, killing the process if it outlives `timeoutMs`. */
  async stop(signal: NodeJS.Signals = "SIGTERM", timeoutMs = 30_000): Promise<number | null> {
    if (this.exitCode !== undefined) return this.exitCode;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill("SIGKILL"), timeoutMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}
