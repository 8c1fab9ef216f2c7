/** `segsweep watch`: reruns what changed whenever the pipeline, a plugin or an input changes. */
import { resolve } from "node:path";
import { LocalExecutor } from "../execute/local.ts";
import type { TaskMessage } from "../execute/task-spec.ts";
import { parseOverride } from "../pipeline/params.ts";
import { WatchSession } from "../watch/watch-session.ts";
import { openStore, parseCommand, UsageError } from "./common.ts";

export const WATCH_USAGE = `usage: segsweep watch PIPELINE [options]

Runs the pipeline, then reruns it on every save: of the pipeline file, of a plugin's source or a
local module it imports, and of input data (a param naming an existing file or folder). Running
tasks whose key changed are cancelled; tasks whose key did not change keep running. Each task
that runs is printed with the fields of its key that changed. Ctrl-C stops.

options:
  --set NAME=VALUE    override a pipeline param (repeatable)
  --only GLOB         run only matching tasks and what they need (repeatable)
  --jobs N            tasks at a time (default: CPU cores)
  --debounce-ms N     quiet time after the last change before rerunning (default: 300)
  --cache-dir DIR     cache directory (default: $SEGSWEEP_CACHE_DIR, else .segsweep)
  --verbose           print the tasks' info lines too`;

export async function watchCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, {
    set: { type: "string", multiple: true },
    only: { type: "string", multiple: true },
    jobs: { type: "string" },
    "debounce-ms": { type: "string" },
    "cache-dir": { type: "string" },
    verbose: { type: "boolean", short: "v" },
    help: { type: "boolean", short: "h" },
  }, WATCH_USAGE);
  if (values.help) {
    process.stdout.write(`${WATCH_USAGE}\n`);
    return 0;
  }
  if (!positionals[0]) throw new UsageError(`missing PIPELINE argument\n\n${WATCH_USAGE}`);
  const sets = values.set ?? [];
  for (const text of sets) {
    try {
      parseOverride(text);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }

  const store = await openStore(values["cache-dir"]);
  const print = (line: string) => process.stderr.write(`${line}\n`);
  const executor = new LocalExecutor(store, {
    jobs: positiveInteger(values.jobs, "--jobs"),
    onMessage: (taskId, message) => printTaskMessage(print, taskId, message, Boolean(values.verbose)),
    onWarning: (message) => print(`warning  ${message}`),
  });
  const session = new WatchSession({
    pipelineFile: resolve(positionals[0]),
    sets,
    only: values.only ?? [],
    cacheDir: store.root,
    executor,
    debounceMs: positiveInteger(values["debounce-ms"], "--debounce-ms"),
    print,
  });

  await session.start();
  const signal = await new Promise<NodeJS.Signals>((done) => {
    process.once("SIGINT", () => done("SIGINT"));
    process.once("SIGTERM", () => done("SIGTERM"));
  });
  print(`${signal}: stopping the watch and its running tasks`);
  await session.stop();
  return 0;
}

function printTaskMessage(print: (line: string) => void, taskId: string, message: TaskMessage, verbose: boolean): void {
  const stamp = new Date().toISOString();
  if (message.type === "started") print(`${stamp} started  ${taskId}${message.attempt > 1 ? ` (attempt ${message.attempt})` : ""} pid ${message.pid}`);
  else if (message.type === "waiting") print(`${stamp} waiting  ${taskId}: ${message.owner} is computing the same task`);
  else if (message.type === "log" && (message.level === "warn" || message.level === "error" || (verbose && message.level === "info"))) {
    print(`${stamp} ${message.level.padEnd(8)} ${taskId}: ${message.message}`);
  }
}

function positiveInteger(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`${flag} must be a whole number of at least 1, got '${text}'`);
  return value;
}
