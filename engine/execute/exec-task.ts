/**
 * `exec-task`: runs one task spec in this process and exits. Used by the local executor (as a
 * forked child with an IPC channel) and by Slurm jobs (plain log lines on stderr).
 *
 * SIGTERM and SIGINT abort the task's AbortSignal. A plugin that does not stop within
 * `ABORT_GRACE_MS` is ended by exiting, which is safe because nothing is published before the
 * plugin returns.
 */
import { readFile } from "node:fs/promises";
import { runTask } from "./task-runner.ts";
import { EXIT_ABORTED, EXIT_FAILED, EXIT_OK, EXIT_TIMEOUT, type TaskMessage, type TaskSpec } from "./task-spec.ts";

const ABORT_GRACE_MS = 20_000;

export async function execTaskFromFile(specFile: string): Promise<number> {
  const spec = JSON.parse(await readFile(specFile, "utf8")) as TaskSpec;
  const send = makeSender(spec.taskId);
  const controller = new AbortController();
  let exitCode = EXIT_ABORTED;

  const abort = (reason: string, code: number) => {
    if (controller.signal.aborted) return;
    exitCode = code;
    send({ type: "log", level: "warn", message: `aborting: ${reason}` });
    controller.abort(new Error(reason));
    setTimeout(() => process.exit(code), ABORT_GRACE_MS).unref();
  };
  process.on("SIGTERM", () => abort("received SIGTERM", EXIT_ABORTED));
  process.on("SIGINT", () => abort("received SIGINT", EXIT_ABORTED));
  if (spec.timeoutMs) {
    setTimeout(() => abort(`timed out after ${Math.round(spec.timeoutMs! / 1000)} s`, EXIT_TIMEOUT), spec.timeoutMs).unref();
  }

  try {
    const done = await runTask(spec, controller.signal, send);
    send(done);
    return EXIT_OK;
  } catch (error) {
    if (controller.signal.aborted) return exitCode;
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    send({ type: "log", level: "error", message: `failed: ${message}` });
    return EXIT_FAILED;
  }
}

function makeSender(taskId: string): (message: TaskMessage) => void {
  if (process.send) {
    const channel = process.send.bind(process);
    return (message) => {
      channel(message);
    };
  }
  return (message) => {
    const stamp = new Date().toISOString();
    if (message.type === "log") process.stderr.write(`${stamp} ${message.level} [${taskId}] ${message.message}\n`);
    else if (message.type === "progress") process.stderr.write(`${stamp} progress [${taskId}] ${Math.round(message.fraction * 100)}% ${message.message ?? ""}\n`);
    else if (message.type === "started") process.stderr.write(`${stamp} info [${taskId}] started attempt ${message.attempt} pid ${message.pid}\n`);
    else if (message.type === "waiting") process.stderr.write(`${stamp} info [${taskId}] waiting for ${message.owner}, which is computing the same task\n`);
    else process.stderr.write(`${stamp} info [${taskId}] ${message.status === "ran" ? "finished" : "cached"}\n`);
  };
}
