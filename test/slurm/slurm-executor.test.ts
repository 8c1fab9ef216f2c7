/**
 * The Slurm executor against a real one-node Slurm cluster (scripts/slurm/start.sh). When no
 * controller responds, the tests start one (as root) or skip with the reason.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { execa } from "execa";
import { queryQueue } from "../../engine/execute/slurm/slurm-commands.ts";
import { Workspace } from "../helpers/workspace.ts";
import { ProcessOutput } from "../watch/process-output.ts";
import { ensureSlurm } from "./slurm-cluster.ts";

const SLURM_ARGS = ["--executor", "slurm", "--poll-interval", "0.5"];

let skipReason: string | undefined;

before(async () => {
  skipReason = await ensureSlurm();
});

/** `a`: 4 cells, and the cell n=4 fails while `broken` is true; `b` pairs with `a` on n. */
const GRID_PIPELINE = `version: 1
params:
  broken: true
stages:
  a:
    uses: ./write-text.ts
    matrix:
      n: [1, 2, 3]
      fail: [false]
      include: [{ n: 4, fail: "\${{ params.broken }}" }]
    with: { text: "a\${{ matrix.n }}", fail: "\${{ matrix.fail }}", count_file: count.txt }
  b:
    uses: ./write-text.ts
    matrix: { n: [1, 2, 3, 4] }
    with: { text: "b\${{ matrix.n }}", count_file: count.txt }
    inputs: { parts: a.out }
`;

interface RunSummary {
  counts: Record<string, number>;
  tasks: { id: string; status: string; reasons: string[] }[];
}

function statusOf(summary: RunSummary, id: string): string | undefined {
  return summary.tasks.find((task) => task.id === id)?.status;
}

function batchCount(ws: Workspace): number {
  const dir = ws.path(".segsweep/slurm/batches");
  return existsSync(dir) ? readdirSync(dir).length : 0;
}

function jobRecords(ws: Workspace): string[] {
  const dir = ws.path(".segsweep/slurm/jobs");
  return existsSync(dir) ? readdirSync(dir) : [];
}

test("grid with a failing cell, then cached", { timeout: 240_000 }, async (t) => {
  if (skipReason) return t.skip(skipReason);
  const ws = new Workspace();
  const file = ws.write("p.yaml", GRID_PIPELINE);

  const first = await ws.cli("run", file, "--json", ...SLURM_ARGS);
  assert.equal(first.code, 1, first.stderr);
  const summary = JSON.parse(first.stdout) as RunSummary;
  assert.equal(summary.counts.ran, 6, first.stderr);
  assert.equal(summary.counts.failed, 1);
  assert.equal(summary.counts.skipped, 1);
  assert.equal(statusOf(summary, "a[n=4,fail=true]"), "failed");
  assert.match(summary.tasks.find((task) => task.id === "a[n=4,fail=true]")!.reasons.join(" "), /failing on purpose: a4 \(slurm job \d+_\d\)/);
  assert.equal(statusOf(summary, "b[n=4]"), "skipped");
  assert.equal(statusOf(summary, "b[n=3]"), "ran");
  // The four cells of `a` were ready together and went out as one job array.
  assert.equal((first.stderr.match(/submitted as slurm job \d+_\d \(4 in array \d+\)/g) ?? []).length, 4, first.stderr);
  assert.deepEqual(ws.runsRecorded().sort(), ["a[n=1,fail=false]", "a[n=2,fail=false]", "a[n=3,fail=false]", "a[n=4,fail=true]", "b[n=1]", "b[n=2]", "b[n=3]"]);
  assert.deepEqual(jobRecords(ws), [], "finished jobs leave no job record");

  const fixed = await ws.cli("run", file, "--json", "--set", "broken=false", ...SLURM_ARGS);
  assert.equal(fixed.code, 0, fixed.stderr);
  const fixedSummary = JSON.parse(fixed.stdout) as RunSummary;
  assert.equal(fixedSummary.counts.ran, 2);
  assert.equal(fixedSummary.counts.cached, 6);
  assert.equal(statusOf(fixedSummary, "b[n=4]"), "ran");

  const batchesBefore = batchCount(ws);
  const again = await ws.cli("run", file, "--json", "--set", "broken=false", ...SLURM_ARGS);
  assert.equal(again.code, 0, again.stderr);
  assert.equal((JSON.parse(again.stdout) as RunSummary).counts.cached, 8);
  assert.equal(batchCount(ws), batchesBefore, "a fully cached run submits nothing");
  assert.doesNotMatch(again.stderr, /submitted as slurm job/);

  const verify = await ws.cli("cache", "verify");
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);
});

const SLEEPING_PIPELINE = (sleepMs: number) => `version: 1
stages:
  slow:
    uses: ./write-text.ts
    matrix: { n: [1, 2] }
    with: { text: "slow\${{ matrix.n }}", sleep_ms: ${sleepMs}, count_file: count.txt }
`;

test("interrupt cancels submitted jobs", { timeout: 120_000 }, async (t) => {
  if (skipReason) return t.skip(skipReason);
  const ws = new Workspace();
  const file = ws.write("p.yaml", SLEEPING_PIPELINE(600_000));

  const driver = new ProcessOutput(ws.start(["run", file, ...SLURM_ARGS]));
  const { match } = await driver.waitFor(/submitted as slurm job (\d+)_1/);
  await driver.waitFor(/slurm job \d+_\d running/);
  const code = await driver.stop("SIGINT");
  assert.equal(code, 130, driver.text);
  assert.match(driver.text, /cancelled slurm job \d+_0/);
  assert.match(driver.text, /cancelled slurm job \d+_1/);

  // scancel returns once the controller has the request; the jobs end a moment later.
  const ended = (phase: string | undefined) => phase === undefined || phase === "cancelled";
  let phases: (string | undefined)[] = [];
  for (let poll = 0; poll < 100; poll++) {
    const states = await queryQueue([match[1]]);
    phases = [0, 1].map((index) => states.get(`${match[1]}_${index}`)?.phase);
    if (phases.every(ended)) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.ok(phases.every(ended), `jobs ${match[1]}_0 and _1 are ${phases.join(", ")} 20 s after the interrupt`);
  assert.deepEqual(jobRecords(ws), []);
});

test("new driver follows jobs of a dead one", { timeout: 120_000 }, async (t) => {
  if (skipReason) return t.skip(skipReason);
  const ws = new Workspace();
  const file = ws.write("p.yaml", SLEEPING_PIPELINE(8_000));

  const first = new ProcessOutput(ws.start(["run", file, ...SLURM_ARGS]));
  const { match } = await first.waitFor(/submitted as slurm job (\d+)_1/);
  // SIGKILL: the driver gets no chance to cancel, as when its login node goes down.
  await first.stop("SIGKILL");
  assert.equal(jobRecords(ws).length, 2);

  const second = await ws.cli("run", file, "--json", ...SLURM_ARGS);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stderr, new RegExp(`following slurm job ${match[1]}_0`));
  assert.match(second.stderr, new RegExp(`following slurm job ${match[1]}_1`));
  assert.equal(batchCount(ws), 1, "the second driver submits nothing");
  assert.equal((JSON.parse(second.stdout) as RunSummary).counts.ran, 2);
  assert.deepEqual(ws.runsRecorded().sort(), ["slow[n=1]", "slow[n=2]"]);
});

test("task timeout fails its job", { timeout: 120_000 }, async (t) => {
  if (skipReason) return t.skip(skipReason);
  const ws = new Workspace();
  const file = ws.write("p.yaml", `version: 1
stages:
  stuck:
    uses: ./write-text.ts
    timeout: 2s
    with: { text: stuck, sleep_ms: 600000 }
`);
  const result = await ws.cli("run", file, "--json", ...SLURM_ARGS);
  assert.equal(result.code, 1, result.stderr);
  const summary = JSON.parse(result.stdout) as RunSummary;
  assert.equal(statusOf(summary, "stuck"), "failed");
  assert.match(summary.tasks[0].reasons.join(" "), /timed out after 2 s \(slurm job \d+_0\)/);
  assert.match(result.stderr, /slurm job \d+_0 failed/);
});

/** Writes the GPU ids and thread count that its job was given. */
const ENV_PLUGIN = `import { writeFile } from "node:fs/promises";
import { join } from "node:path";

export default {
  name: "job-env",
  version: "1",
  description: "Writes env.txt with CUDA_VISIBLE_DEVICES and SEGSWEEP_THREADS",
  params: { type: "object", properties: {} },
  inputs: {},
  outputs: { out: { description: "env.txt", kind: "text" } },
  async run(ctx: any) {
    await writeFile(join(ctx.outputs.out, "env.txt"), "gpus=" + process.env.CUDA_VISIBLE_DEVICES + " threads=" + process.env.SEGSWEEP_THREADS);
  },
};
`;

test("resources reach the job", { timeout: 120_000 }, async (t) => {
  if (skipReason) return t.skip(skipReason);
  const gres = await execa("scontrol", ["show", "node", "localhost"], { reject: false });
  if (!/Gres=gpu:/.test(String(gres.stdout))) return t.skip("the test cluster declares no GPUs (SEGSWEEP_SLURM_GPUS=0)");
  const ws = new Workspace();
  ws.write("job-env.ts", ENV_PLUGIN);
  const file = ws.write("p.yaml", `version: 1
stages:
  env:
    uses: ./job-env.ts
    resources: { cpu: 2, gpu: 1, memory_mb: 300 }
`);
  const result = await ws.cli("run", file, "--json", ...SLURM_ARGS);
  assert.equal(result.code, 0, result.stderr);
  const digest = (JSON.parse(result.stdout) as { tasks: { outputs: Record<string, string> }[] }).tasks[0].outputs.out.slice(7);
  assert.equal(ws.read(`.segsweep/objects/${digest}/env.txt`), "gpus=0 threads=2");
});
