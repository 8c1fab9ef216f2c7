/** The `segsweep` command line: dispatches to one module per command. */
import { reportError } from "./common.ts";

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

// Each command's module is imported only when that command runs, so that `--help`, `plan` or a
// fully cached `run` does not pay for loading the watch and Slurm code.
const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  run: async (args) => (await import("./run.ts")).runCommand(args),
  watch: async (args) => (await import("./watch.ts")).watchCommand(args),
  plan: async (args) => (await import("./plan.ts")).planCommand(args),
  why: async (args) => (await import("./why.ts")).whyCommand(args),
  dag: async (args) => (await import("./dag.ts")).dagCommand(args),
  cache: async (args) => (await import("./cache.ts")).cacheCommand(args),
  "exec-task": async (args) => (await import("./exec-task.ts")).execTaskCommand(args),
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
