/** Entry module forked by the local executor: `node --import tsx exec-task-main.ts SPEC_FILE`. */
import { execTaskFromFile } from "./exec-task.ts";

const code = await execTaskFromFile(process.argv[2]);

// Wait until the IPC channel has sent every message, then exit: plugins may leave handles open
// (WASM worker threads), and the task is over.
if (process.send) {
  await new Promise<void>((resolve) => process.send!({ type: "log", level: "debug", message: `exit ${code}` }, undefined, {}, () => resolve()));
}
process.exit(code);
