/**
 * Reading a job's output. `exec-task` writes its log lines to stderr as
 * `ISO-TIME LEVEL [TASK] MESSAGE`. The executor follows the stderr file while the job runs and
 * turns its lines back into log messages for the reporter. When the job has ended, its stdout
 * and stderr files are appended to the task's log in the cache.
 */
import { appendFile, open, readFile } from "node:fs/promises";
import { StringDecoder } from "node:string_decoder";
import type { TaskMessage } from "../task-spec.ts";

export type LogMessage = TaskMessage & { type: "log" };

export interface ParsedLines {
  messages: LogMessage[];
  /** First line of the last error the task logged, for the failure reason. */
  lastError?: string;
  /** The end `exec-task` reported: `cached` when another process computed the task meanwhile. */
  doneStatus?: "ran" | "cached";
}

/** Reads a growing file line by line, from where the last call stopped. */
export class JobLogTail {
  private offset = 0;
  private partial = "";
  private readonly decoder = new StringDecoder("utf8");

  constructor(readonly file: string) {}

  /** Returns the complete lines added since the last call; with `final`, the unfinished one too. */
  async readLines(final = false): Promise<string[]> {
    let text = "";
    try {
      const handle = await open(this.file, "r");
      try {
        const { size } = await handle.stat();
        if (size > this.offset) {
          const buffer = Buffer.alloc(size - this.offset);
          const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.offset);
          this.offset += bytesRead;
          text = this.decoder.write(buffer.subarray(0, bytesRead));
        }
      } finally {
        await handle.close();
      }
    } catch {
      // Slurm creates the file when the job starts; until then there is nothing to read.
    }
    const lines = (this.partial + text).split("\n");
    this.partial = lines.pop() ?? "";
    if (final && this.partial) {
      lines.push(this.partial);
      this.partial = "";
    }
    return lines.filter((line) => line.trim() !== "");
  }
}

/** Parses `exec-task` stderr lines of one task. */
export function parseJobLines(lines: string[], taskId: string): ParsedLines {
  // Task ids contain brackets themselves (`train[seed=1]`), so the id is matched literally.
  const linePattern = new RegExp(`^\\S+ (info|warn|error|debug|progress) \\[${escapeRegExp(taskId)}\\] (.*)$`);
  const parsed: ParsedLines = { messages: [] };
  for (const line of lines) {
    const match = linePattern.exec(line);
    if (!match) {
      // Indented lines continue the line before (a stack trace); others are Node's own output.
      parsed.messages.push({ type: "log", level: /^\s/.test(line) ? "debug" : "warn", message: line });
      continue;
    }
    const level = match[1] === "progress" ? "debug" : (match[1] as LogMessage["level"]);
    parsed.messages.push({ type: "log", level, message: match[2] });
    if (level === "error") parsed.lastError = match[2].replace(/^failed: /, "");
    // The last line `exec-task` writes on success (see makeSender in exec-task.ts).
    if (level === "info" && match[2] === "finished") parsed.doneStatus = "ran";
    if (level === "info" && match[2] === "cached") parsed.doneStatus = "cached";
  }
  return parsed;
}

/**
 * Appends a finished job's stdout and stderr to the task's log. Returns the parse of all of
 * stderr, and stdout's lines as info messages.
 */
export async function collectJobLogs(files: { stdout: string; stderr: string }, jobId: string, taskId: string, taskLog: string): Promise<ParsedLines & { stdoutMessages: LogMessage[] }> {
  const stdout = await readIfPresent(files.stdout);
  const stderr = await readIfPresent(files.stderr);
  const sections = [`# slurm job ${jobId} stderr (${files.stderr}):\n${stderr}`];
  if (stdout.trim()) sections.push(`# slurm job ${jobId} stdout (${files.stdout}):\n${stdout}`);
  await appendFile(taskLog, `${sections.join("\n")}\n`).catch(() => {});

  const parsed = parseJobLines(stderr.split("\n").filter((line) => line.trim() !== ""), taskId);
  const stdoutMessages: LogMessage[] = stdout.split("\n").filter((line) => line.trim() !== "").map((line) => ({ type: "log", level: "info", message: line }));
  return { ...parsed, stdoutMessages };
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
