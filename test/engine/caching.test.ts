import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Workspace } from "../helpers/workspace.ts";

/** Returns a 4-stage pipeline: one task, a 2x2 matrix, a paired matrix stage and a fan-in. */
function pipeline(greeting: string, upstreamText = "base"): string {
  return `version: 1
params:
  greeting: ${greeting}
stages:
  base:
    uses: ./write-text.ts
    with: { text: "${upstreamText}", count_file: count.txt }
  grid:
    uses: ./write-text.ts
    matrix:
      loss: [ce, dice]
      seed: [1, 2]
    with: { text: "\${{ params.greeting }}-\${{ matrix.loss }}-\${{ matrix.seed }}", count_file: count.txt }
    inputs: { parts: base.out }
  per-loss:
    uses: ./write-text.ts
    matrix:
      loss: [ce, dice]
    with: { text: "loss-\${{ matrix.loss }}", count_file: count.txt }
    inputs: { parts: grid.out }
  report:
    uses: ./write-text.ts
    with: { text: report, count_file: count.txt }
    inputs: { parts: per-loss.out }
`;
}

async function runJson(ws: Workspace, file: string, ...extra: string[]) {
  const result = await ws.cli("run", file, "--json", ...extra);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as { counts: Record<string, number>; tasks: { id: string; status: string; outputs?: Record<string, string> }[] };
}

function reportText(ws: Workspace, summary: Awaited<ReturnType<typeof runJson>>): string {
  const digest = summary.tasks.find((t) => t.id === "report")!.outputs!.out.slice(7);
  return readFileSync(join(ws.dir, ".segsweep", "objects", digest, "text.txt"), "utf8");
}

test("cache hits, misses and why", async () => {
  const ws = new Workspace();
  const file = ws.write("p.yaml", pipeline("hello"));

  const first = await runJson(ws, file);
  assert.equal(first.counts.ran, 8);
  assert.equal(ws.runsRecorded().length, 8);

  // Fan-in and pairing: per-loss[loss=ce] reads only the ce cells; report reads both per-loss cells.
  const text = reportText(ws, first);
  assert.match(text, /\{"loss":"ce"\}:<loss-ce>\|\{"loss":"ce","seed":1\}:<hello-ce-1>/);
  assert.doesNotMatch(text.split('{"loss":"dice"}')[0], /hello-dice/);

  const second = await runJson(ws, file);
  assert.equal(second.counts.cached, 8, "second run is fully cached");
  assert.equal(ws.runsRecorded().length, 8, "no task ran again");

  const plan = await ws.cli("plan", file, "--set", "greeting=hi");
  assert.equal(plan.code, 0, plan.stderr);
  assert.match(plan.stdout, /grid: 0 cached, 4 to run/);
  assert.match(plan.stdout, /param text: "hello-ce-1" -> "hi-ce-1"/);
  assert.match(plan.stdout, /base: 1 cached, 0 to run/);

  const third = await runJson(ws, file, "--set", "greeting=hi");
  assert.equal(third.counts.ran, 7, "grid, per-loss and report rerun; base is cached");
  assert.equal(third.counts.cached, 1);

  const why = await ws.cli("why", "per-loss[loss=ce]");
  assert.equal(why.code, 0, why.stderr);
  assert.match(why.stdout, /input parts changed \(2 of 2 artifacts\)/);
});

test("plugin source and imported module changes rerun", async () => {
  const ws = new Workspace();
  const file = ws.write("p.yaml", pipeline("hello"));
  await runJson(ws, file);

  ws.write("helper.ts", ws.read("helper.ts").replace("`<${text}>`", "`[${text}]`"));
  const why = await ws.cli("why", file, "base");
  assert.match(why.stdout, /plugin source changed: helper.ts/);
  const afterHelper = await runJson(ws, file);
  assert.equal(afterHelper.counts.ran, 8);
  assert.match(reportText(ws, afterHelper), /\[report\]/);

  ws.write("write-text.ts", `${ws.read("write-text.ts")}\n// a comment changes the source digest too\n`);
  const afterPlugin = await runJson(ws, file);
  assert.equal(afterPlugin.counts.ran, 8);
  const whyPlugin = await ws.cli("why", "base");
  assert.match(whyPlugin.stdout, /plugin source changed: write-text.ts/);
});

test("unchanged upstream output stops reruns early", async () => {
  const ws = new Workspace();
  const file = ws.write("p.yaml", pipeline("hello"));
  await runJson(ws, file);

  // --force reruns base; its output is byte-identical, so nothing downstream reruns.
  const forced = await runJson(ws, file, "--force", "base");
  assert.equal(forced.counts.ran, 1);
  assert.equal(forced.counts.cached, 7);

  // A changed upstream output (an input change for grid) reruns everything downstream.
  ws.write("p.yaml", pipeline("hello", "base2"));
  const changed = await runJson(ws, file);
  assert.equal(changed.counts.ran, 8);
  const why = await ws.cli("why", "grid[loss=ce,seed=1]");
  assert.match(why.stdout, /input parts changed/);
});

test("only runs the selection and its upstream", async () => {
  const ws = new Workspace();
  const file = ws.write("p.yaml", pipeline("hello"));
  const summary = await runJson(ws, file, "--only", "per-loss[loss=dice]");
  assert.deepEqual(summary.tasks.map((t) => t.id).sort(), ["base", "grid[loss=dice,seed=1]", "grid[loss=dice,seed=2]", "per-loss[loss=dice]"]);
  const records = readdirSync(join(ws.dir, ".segsweep", "runs"));
  assert.equal(records.length, 1, "one provenance record per run");
  const record = JSON.parse(readFileSync(join(ws.dir, ".segsweep", "runs", records[0]), "utf8"));
  assert.equal(record.tasks.length, 4);
  assert.match(record.pipelineDigest, /^[0-9a-f]{64}$/);
  assert.ok(record.tasks.every((t: { key: string }) => /^[0-9a-f]{64}$/.test(t.key)));
});

test("run names the final outputs", async () => {
  const ws = new Workspace();
  const file = ws.write("p.yaml", pipeline("hello"));
  const result = await ws.cli("run", file, "--only", "grid[loss=ce,seed=1]");
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /final outputs:\n {2}grid\[loss=ce,seed=1\]\.out -> \.segsweep\/objects\/[0-9a-f]{64}\n/);
  assert.doesNotMatch(result.stderr, /base\.out ->/, "an output that another task reads is not final");
});
