/**
 * `segsweep watch` on a small pipeline in a temporary folder: edits to the pipeline, to a
 * plugin, to a module the plugin imports, an invalid pipeline and its fix, and a running task
 * whose key changes. The `count_file` lines tell which tasks ran after each edit.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Workspace } from "../helpers/workspace.ts";
import { ProcessOutput } from "./process-output.ts";

/**
 * A plugin that imports no local module, so edits to write-text.ts and helper.ts must not rerun
 * it. Like `ingest`, it puts the size of its data file into its key through runtime facts.
 */
const SOLO_PLUGIN = `import { appendFile, writeFile } from "node:fs/promises";
import { statSync } from "node:fs";
import { join } from "node:path";

export default {
  name: "solo",
  version: "1",
  description: "Writes text.txt from the text param",
  params: { type: "object", additionalProperties: false, required: ["text"], properties: { text: { type: "string" }, data: { type: "string" }, count_file: { type: "string" } } },
  runtimeFacts(params: any) {
    return { data_bytes: String(statSync(params.data).size) };
  },
  inputs: {},
  outputs: { out: { description: "text.txt", kind: "text" } },
  async run(ctx: any) {
    await appendFile(ctx.params.count_file, ctx.taskId + "\\n");
    await writeFile(join(ctx.outputs.out, "text.txt"), ctx.params.text);
  },
};
`;

function pipeline(options: { a?: string; aSleepMs?: number; b?: string; c?: string } = {}): string {
  return `version: 1
stages:
  a:
    uses: ./write-text.ts
    with: { text: "${options.a ?? "a"}", sleep_ms: ${options.aSleepMs ?? 0}, count_file: count.txt }
  b:
    uses: ./write-text.ts
    with: { text: "${options.b ?? "b"}", count_file: count.txt }
    inputs: { parts: a.out }
  c:
    uses: ./solo.ts
    with: { text: "${options.c ?? "c"}", data: data.txt, count_file: count.txt }
`;
}

/** Writes through a temporary file and a rename, as many editors save. */
function saveAtomically(path: string, text: string): void {
  writeFileSync(`${path}.tmp~`, text);
  renameSync(`${path}.tmp~`, path);
}

/**
 * Makes an edit, then waits for the round it starts (naming `changedFile`) and for the watch to
 * be idle again. Returns the output since the edit and the tasks that ran.
 */
async function editAndWait(ws: Workspace, watch: ProcessOutput, changedFile: string, edit: () => void): Promise<{ output: string; ran: string[] }> {
  const from = watch.text.length;
  const runsBefore = ws.runsRecorded().length;
  edit();
  const started = await watch.waitFor(new RegExp(`round \\d+ started \\(changed: [^)]*${changedFile.replace(".", "\\.")}`), { from });
  await watch.waitFor(/round \d+ (finished|stopped)/, { from: started.end });
  return { output: watch.text.slice(from), ran: ws.runsRecorded().slice(runsBefore).sort() };
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function objectTexts(ws: Workspace): string[] {
  const objects = ws.path(".segsweep/objects");
  return readdirSync(objects).map((hex) => {
    try {
      return readFileSync(join(objects, hex, "text.txt"), "utf8");
    } catch {
      return "";
    }
  });
}

/** Starts `segsweep watch` on `pipeline()` in a fresh workspace. */
function startWatch(): { ws: Workspace; file: string; watch: ProcessOutput } {
  const ws = new Workspace();
  ws.write("solo.ts", SOLO_PLUGIN);
  ws.write("data.txt", "1");
  const file = ws.write("p.yaml", pipeline());
  const watch = new ProcessOutput(ws.start(["watch", file, "--debounce-ms", "200"]));
  return { ws, file, watch };
}

test("watch reruns what each edit changes", { timeout: 240_000 }, async () => {
  const { ws, file, watch } = startWatch();

  try {
    await watch.waitFor(/round 1 finished/);
    assert.deepEqual(ws.runsRecorded().sort(), ["a", "b", "c"]);

    const paramEdit = await editAndWait(ws, watch, "p.yaml", () => writeFileSync(file, pipeline({ b: "b2" })));
    assert.deepEqual(paramEdit.ran, ["b"], paramEdit.output);
    assert.match(paramEdit.output, /run {6}b: param text: "b" -> "b2"/);

    const pluginEdit = await editAndWait(ws, watch, "write-text.ts", () => {
      saveAtomically(ws.path("write-text.ts"), `${ws.read("write-text.ts")}\n// edited\n`);
    });
    assert.deepEqual(pluginEdit.ran, ["a", "b"], pluginEdit.output);
    assert.match(pluginEdit.output, /run {6}a: plugin source changed: write-text\.ts/);

    // The new code must reach the task processes: decorate() now brackets the text.
    const importEdit = await editAndWait(ws, watch, "helper.ts", () => {
      writeFileSync(ws.path("helper.ts"), ws.read("helper.ts").replace("`<${text}>`", "`[${text}]`"));
    });
    assert.deepEqual(importEdit.ran, ["a", "b"], importEdit.output);
    assert.match(importEdit.output, /plugin source changed: helper\.ts/);
    assert.ok(objectTexts(ws).includes("[a]"), "a's output was written by the edited helper");

    const dataEdit = await editAndWait(ws, watch, "data.txt", () => writeFileSync(ws.path("data.txt"), "12"));
    assert.deepEqual(dataEdit.ran, ["c"], dataEdit.output);
    assert.match(dataEdit.output, /run {6}c: runtime data_bytes: "1" -> "2"/);

    const invalid = await editAndWait(ws, watch, "p.yaml", () => writeFileSync(file, "version: 1\nstages: [unclosed\n"));
    assert.deepEqual(invalid.ran, []);
    assert.match(invalid.output, /the pipeline is invalid; waiting for the next change/);
    assert.match(invalid.output, /p\.yaml:\d+/);
    assert.equal(watch.exitCode, undefined, "the watch keeps running after an invalid pipeline");

    const fixed = await editAndWait(ws, watch, "p.yaml", () => saveAtomically(file, pipeline({ b: "b2", c: "c2" })));
    assert.deepEqual(fixed.ran, ["c"], fixed.output);
  } finally {
    await watch.stop("SIGINT");
  }
  assert.equal(watch.exitCode, 0, watch.text);
});

test("watch cancels a task whose key changed", { timeout: 120_000 }, async () => {
  const { ws, file, watch } = startWatch();

  try {
    await watch.waitFor(/round 1 finished/);
    const from = watch.text.length;
    const runsBefore = ws.runsRecorded().length;
    writeFileSync(file, pipeline({ a: "slow", aSleepMs: 600_000 }));
    await watch.waitFor(/started {2}a pid/, { from });
    // The plugin has begun its sleep once it has counted the run.
    await waitUntil(() => ws.runsRecorded().length > runsBefore, 30_000);

    const edit = await editAndWait(ws, watch, "p.yaml", () => writeFileSync(file, pipeline({ a: "quick" })));
    assert.match(edit.output, /cancel {3}a: its key changed/);
    assert.match(edit.output, /finished a/);
    assert.match(edit.output, /finished b/);
    assert.deepEqual(edit.ran, ["a", "b"], edit.output);
    assert.ok(objectTexts(ws).some((text) => text.startsWith("<quick>")), "b's output reads the new a");
    assert.ok(!objectTexts(ws).includes("<slow>"), "the cancelled run published nothing");
  } finally {
    await watch.stop("SIGINT");
  }
  assert.equal(watch.exitCode, 0, watch.text);
});
