/** The `segsweep` command line: dispatches to one module per command. */
import { cacheCommand } from "./cache.ts";
import { reportError } from "./common.ts";
import { dagCommand } from "./dag.ts";
import { execTaskCommand } from "./exec-task.ts";
import { planCommand } from "./plan.ts";
import { runCommand } from "./run.ts";
import { watchCommand } from "./watch.ts";
import { whyCommand } from "./why.ts";

const USAGE = `usage: segsweep COMMAND [options]

commands:
  run PIPELINE        run what is not cached
  watch PIPELINE      run, then rerun what changed on every save
  plan PIPELINE       show what is cached, what would run and why
  why PIPELINE TASK   why a task would run (or TASK alone: why its last run reran)
  dag PIPELINE        print the stage graph (Mermaid or dot)
  cache ls|verify|gc  inspect and maintain the cache
  exec-task --spec F  run one task spec (used by executors on compute nodes)

'segsweep COMMAND --help' describes each command's options.`;

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  run: runCommand,
  watch: watchCommand,
  plan: planCommand,
  why: whyCommand,
  dag: dagCommand,
  cache: cacheCommand,
  "exec-task": execTaskCommand,
};

export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (!command || command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  const handler = COMMANDS[command];
  if (!handler) {
    process.stderr.write(`segsweep: unknown command '${command}'\n\n${USAGE}\n`);
    return 2;
  }
  try {
    return await handler(args);
  } catch (error) {
    return reportError(error);
  }
}

const code = await main(process.argv.slice(2));
// Plugins loaded in this process (TF.js backends, worker threads) may keep it alive; the command is done.
process.exit(code);
