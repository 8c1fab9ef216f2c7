/**
 * Collecting a finished job's output. `exec-task` writes its log lines to stderr as
 * `ISO-TIME LEVEL [TASK] MESSAGE`. The job's stdout and stderr files are appended to the task's
 * log in the cache and turned back into log messages for the reporter.
 */
import { appendFile, readFile } from "node:fs/promises";
import type { TaskMessage } from "../task-spec.ts";


export interface CollectedLogs {
  messages: (TaskMessage & { type: "log" })[];
  /** First line of the last error the task logged, for the failure reason. */
  lastError?: string;
  /** How `exec-task` ended: `cached` when another process computed the task while it waited. */
  doneStatus?: "ran" | "cached";
}

export async function collectJobLogs(files: { stdout: string; stderr: string }, jobId: string, taskId: string, taskLog: string): Promise<CollectedLogs> {
  const stdout = await readIfPresent(files.stdout);
  const stderr = await readIfPresent(files.stderr);
  const sections = [`# slurm job ${jobId} stderr (${files.stderr}):\n${stderr}`];
  if (stdout.trim()) sections.push(`# slurm job ${jobId} stdout (${files.stdout}):\n${stdout}`);
  await appendFile(taskLog, `${sections.join("\n")}\n`).catch(() => {});

  // Task ids contain brackets themselves (`train[seed=1]`), so the id is matched literally.
  const linePattern = new RegExp(`^\\S+ (info|warn|error|debug|progress) \\[${escapeRegExp(taskId)}\\] (.*)$`);
  const messages: CollectedLogs["messages"] = [];
  let lastError: string | undefined;
  let doneStatus: CollectedLogs["doneStatus"];
  for (const line of stderr.split("\n")) {
    if (!line.trim()) continue;
    const match = linePattern.exec(line);
    if (!match) {
      // Indented lines continue the line before (a stack trace); others are Node's own output.
      messages.push({ type: "log", level: /^\s/.test(line) ? "debug" : "warn", message: line });
      continue;
    }
    const level = match[1] === "progress" ? "debug" : (match[1] as "info" | "warn" | "error" | "debug");
    messages.push({ type: "log", level, message: match[2] });
    if (level === "error") lastError = match[2].replace(/^failed: /, "");
    // The last line `exec-task` writes on success (see makeSender in exec-task.ts).
    if (level === "info" && match[2] === "finished") doneStatus = "ran";
    if (level === "info" && match[2] === "cached") doneStatus = "cached";
  }
  for (const line of stdout.split("\n")) {
    if (line.trim()) messages.push({ type: "log", level: "info", message: line });
  }
  return { messages, lastError, doneStatus };
}

async function readIfPresent(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch {
    return "";
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
