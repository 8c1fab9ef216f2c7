/** `segsweep exec-task --spec FILE`: runs one task spec; what executors start on compute nodes. */
import { execTaskFromFile } from "../execute/exec-task.ts";
import { parseCommand, UsageError } from "./common.ts";

const USAGE = `usage: segsweep exec-task --spec FILE

Runs one task from a spec file written by an executor, publishes its outputs into the spec's
cache directory, and exits 0 (done or already cached), 1 (failed), 124 (timed out) or 130 (aborted).`;

export async function execTaskCommand(args: string[]): Promise<number> {
  const { values } = parseCommand(args, { spec: { type: "string" }, help: { type: "boolean", short: "h" } }, USAGE);
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!values.spec) throw new UsageError(`missing --spec FILE\n\n${USAGE}`);
  return execTaskFromFile(values.spec);
}
