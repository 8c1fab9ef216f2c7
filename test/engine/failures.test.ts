import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Workspace } from "../helpers/workspace.ts";

type Summary = { counts: Record<string, number>; tasks: { id: string; status: string; reasons: string[]; attempts?: number; outputs?: Record<string, string> }[] };

function statusOf(summary: Summary, id: string): string {
  return summary.tasks.find((t) => t.id === id)!.status;
}

test("failed task skips dependents, not independents", async () => {
  const ws = new Workspace();
  // The include gives seed 2 `fail: true`, so exactly one cell of grid fails.
  const file = ws.write("p.yaml", `version: 1
stages:
  grid:
    uses: ./write-text.ts
    matrix:
      seed: [1, 2]
      include: [{ seed: 1, fail: false }, { seed: 2, fail: true }]
    with: { text: "s\${{ matrix.seed }}", fail: "\${{ matrix.fail }}" }
  after:
    uses: ./write-text.ts
    matrix: { seed: [1, 2] }
    with: { text: after }
    inputs: { parts: grid.out }
`);

  const result = await ws.cli("run", file, "--json");
  assert.equal(result.code, 1, "a failed task makes the run fail");
  const summary = JSON.parse(result.stdout) as Summary;
  assert.equal(statusOf(summary, "grid[seed=1,fail=false]"), "ran");
  assert.equal(statusOf(summary, "grid[seed=2,fail=true]"), "failed");
  assert.match(summary.tasks.find((t) => t.id === "grid[seed=2,fail=true]")!.reasons[0], /failing on purpose: s2/);
  assert.equal(statusOf(summary, "after[seed=1]"), "ran");
  assert.equal(statusOf(summary, "after[seed=2]"), "skipped");
  assert.match(summary.tasks.find((t) => t.id === "after[seed=2]")!.reasons[0], /upstream grid\[seed=2,fail=true\] failed/);

  const text = await ws.cli("run", file);
  assert.match(text.stderr, /FAILED   grid\[seed=2,fail=true\]: failed: Error: failing on purpose/);
  assert.match(text.stderr, /1 failed, 1 skipped/);
});

test("retries rerun a failed attempt", async () => {
  const ws = new Workspace();
  const file = ws.write("p.yaml", `version: 1
stages:
  flaky:
    uses: ./write-text.ts
    retries: 1
    with: { text: flaky, fail_marker: ${JSON.stringify(ws.path("marker"))} }
`);
  const result = await ws.cli("run", file, "--json");
  assert.equal(result.code, 0, result.stderr);
  const summary = JSON.parse(result.stdout) as Summary;
  assert.equal(summary.tasks[0].status, "ran");
  assert.equal(summary.tasks[0].attempts, 2);
});

test("timeout fails the task", async () => {
  const ws = new Workspace();
  const file = ws.write("p.yaml", `version: 1
stages:
  slow:
    uses: ./write-text.ts
    timeout: 1s
    with: { text: slow, sleep_ms: 60000 }
`);
  const result = await ws.cli("run", file, "--json");
  assert.equal(result.code, 1);
  const summary = JSON.parse(result.stdout) as Summary;
  assert.equal(summary.tasks[0].status, "failed");
  assert.match(summary.tasks[0].reasons[0], /timed out after 1 s/);
});

test("SIGINT cancels running tasks and keeps the cache consistent", async () => {
  const ws = new Workspace();
  const file = ws.write("p.yaml", `version: 1
stages:
  slow:
    uses: ./write-text.ts
    with: { text: slow, sleep_ms: 60000 }
  after:
    uses: ./write-text.ts
    with: { text: after }
    inputs: { parts: slow.out }
`);
  const child = ws.start(["run", file]);
  let stderr = "";
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  await waitFor(() => stderr.includes("started  slow"), 30_000);
  child.kill("SIGINT");
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  assert.equal(code, 130);
  assert.match(stderr, /cancelled after: upstream slow cancelled/);
  assert.deepEqual(readdirSync(join(ws.dir, ".segsweep", "results")), [], "no result recorded for a cancelled task");
});

test("kill -9 mid-task, then a rerun completes", async () => {
  const ws = new Workspace();
  const file = ws.write("p.yaml", `version: 1
params: { delay: 4000 }
stages:
  first:
    uses: ./write-text.ts
    with: { text: first, sleep_ms: "\${{ params.delay }}" }
  second:
    uses: ./write-text.ts
    with: { text: second }
    inputs: { parts: first.out }
`);
  const child = ws.start(["run", file], {});
  let stderr = "";
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  await waitFor(() => stderr.includes("started  first"), 30_000);
  await sleep(500);
  // Kill the driver and its task process, as the OOM killer or a node failure would.
  const pid = /started {2}first pid (\d+)/.exec(stderr)?.[1];
  child.kill("SIGKILL");
  if (pid) process.kill(Number(pid), "SIGKILL");
  await new Promise((resolve) => child.on("exit", resolve));

  assert.deepEqual(readdirSync(join(ws.dir, ".segsweep", "results")), [], "nothing half-done is trusted");
  const rerun = await ws.cli("run", file, "--json", "--set", "delay=0");
  assert.equal(rerun.code, 0, rerun.stderr);
  const summary = JSON.parse(rerun.stdout) as Summary;
  assert.equal(summary.counts.ran, 2);
  const digest = summary.tasks.find((t) => t.id === "second")!.outputs!.out.slice(7);
  assert.equal(readFileSync(join(ws.dir, ".segsweep", "objects", digest, "text.txt"), "utf8"), '<second>|{}:<first>');
  const verify = await ws.cli("cache", "verify");
  assert.equal(verify.code, 0, verify.stdout);
});

test("two runs on one cache both finish", async () => {
  const ws = new Workspace();
  const file = ws.write("p.yaml", `version: 1
stages:
  grid:
    uses: ./write-text.ts
    matrix: { seed: [1, 2, 3, 4] }
    with: { text: "s\${{ matrix.seed }}", sleep_ms: 300, count_file: count.txt }
  all:
    uses: ./write-text.ts
    with: { text: all, count_file: count.txt }
    inputs: { parts: grid.out }
`);
  const results = await Promise.all([ws.cli("run", file, "--json"), ws.cli("run", file, "--json")]);
  for (const result of results) assert.equal(result.code, 0, result.stderr);
  const summaries = results.map((r) => JSON.parse(r.stdout) as Summary);
  for (const summary of summaries) assert.equal(summary.counts.ran + summary.counts.cached, 5);
  assert.equal(ws.runsRecorded().length, 5, "each task computed once; the other run waited and reused it");
  const outputs = summaries.map((s) => s.tasks.find((t) => t.id === "all")!.outputs!.out);
  assert.equal(outputs[0], outputs[1]);
  const verify = await ws.cli("cache", "verify");
  assert.equal(verify.code, 0, verify.stdout);
  assert.deepEqual(readdirSync(join(ws.dir, ".segsweep", "locks")), [], "every lock released");
});

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out waiting for the condition");
    await sleep(100);
  }
}

test("gpu slots set CUDA_VISIBLE_DEVICES", async () => {
  const ws = new Workspace();
  const file = ws.write("p.yaml", `version: 1
stages:
  gpu:
    uses: ./write-text.ts
    matrix: { seed: [1, 2] }
    resources: { gpu: 1 }
    with: { text: "s\${{ matrix.seed }}", sleep_ms: 1500, env_var: CUDA_VISIBLE_DEVICES }
  cpu:
    uses: ./write-text.ts
    with: { text: cpu, env_var: CUDA_VISIBLE_DEVICES }
`);
  const result = await ws.cli("run", file, "--json", "--gpus", "2", "--jobs", "3");
  assert.equal(result.code, 0, result.stderr);
  const summary = JSON.parse(result.stdout) as Summary;
  const textOf = (id: string) => {
    const digest = summary.tasks.find((t) => t.id === id)!.outputs!.out.slice(7);
    return readFileSync(join(ws.dir, ".segsweep", "objects", digest, "text.txt"), "utf8");
  };
  const devices = ["gpu[seed=1]", "gpu[seed=2]"].map((id) => /CUDA_VISIBLE_DEVICES=(\S*)/.exec(textOf(id))![1]);
  assert.deepEqual([...devices].sort(), ["0", "1"], "two concurrent GPU tasks get different devices");
  assert.match(textOf("cpu"), /CUDA_VISIBLE_DEVICES=$/, "a task without GPUs sees none");
});
