/**
 * Two drivers on one cache directory at the same time, as when several people run the same
 * sweep on a cluster: every task is computed once (the other driver waits on the task lock and
 * reads the result), no result is lost, and every stored object verifies.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Workspace, type CliResult } from "../helpers/workspace.ts";
import { ProcessOutput } from "../watch/process-output.ts";
import { ensureSlurm } from "./slurm-cluster.ts";

const PIPELINE = `version: 1
stages:
  grid:
    uses: ./write-text.ts
    matrix: { loss: [ce, dice], seed: [1, 2] }
    with: { text: "\${{ matrix.loss }}-\${{ matrix.seed }}", sleep_ms: 300, count_file: count.txt }
  report:
    uses: ./write-text.ts
    with: { text: report, count_file: count.txt }
    inputs: { parts: grid.out }
`;

const TASK_IDS = ["grid[loss=ce,seed=1]", "grid[loss=ce,seed=2]", "grid[loss=dice,seed=1]", "grid[loss=dice,seed=2]", "report"];

interface Summary {
  counts: Record<string, number>;
  tasks: { id: string; status: string; outputs?: Record<string, string> }[];
}

async function runTogether(ws: Workspace, argsA: string[], argsB: string[]): Promise<[Summary, Summary]> {
  const drivers = [argsA, argsB].map((args) => new ProcessOutput(ws.start(["run", ws.path("p.yaml"), "--json", ...args])));
  const codes = await Promise.all(drivers.map((driver) => driver.exited));
  assert.deepEqual(codes, [0, 0], drivers.map((d) => d.text).join("\n----\n"));
  return drivers.map((driver) => JSON.parse(driver.text.slice(driver.text.indexOf("{\n"), driver.text.lastIndexOf("}") + 1)) as Summary) as [Summary, Summary];
}

function checkComputedOnce(ws: Workspace, a: Summary, b: Summary): void {
  for (const id of TASK_IDS) {
    const statuses = [a, b].map((summary) => summary.tasks.find((task) => task.id === id)?.status).sort();
    assert.deepEqual(statuses, ["cached", "ran"], `${id}: one driver computes it, the other reuses it`);
    const outputs = [a, b].map((summary) => JSON.stringify(summary.tasks.find((task) => task.id === id)?.outputs));
    assert.equal(outputs[0], outputs[1], `${id}: both drivers report the same output digest`);
  }
  assert.deepEqual(ws.runsRecorded().sort(), TASK_IDS, "each task's plugin ran exactly once");
}

async function verifyCache(ws: Workspace): Promise<void> {
  const verify: CliResult = await ws.cli("cache", "verify");
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  const again = await ws.cli("run", ws.path("p.yaml"), "--json");
  assert.equal(again.code, 0, again.stderr);
  assert.equal((JSON.parse(again.stdout) as Summary).counts.cached, TASK_IDS.length);
}

test("two local drivers share one cache", { timeout: 180_000 }, async () => {
  const ws = new Workspace();
  ws.write("p.yaml", PIPELINE);

  const [a, b] = await runTogether(ws, ["--jobs", "2"], ["--jobs", "2"]);
  checkComputedOnce(ws, a, b);
  await verifyCache(ws);
});

test("local and Slurm drivers share one cache", { timeout: 180_000 }, async (t) => {
  const skipReason = await ensureSlurm();
  if (skipReason) return t.skip(skipReason);
  const ws = new Workspace();
  ws.write("p.yaml", PIPELINE);

  const [a, b] = await runTogether(ws, ["--jobs", "2"], ["--executor", "slurm", "--poll-interval", "0.5"]);
  checkComputedOnce(ws, a, b);
  await verifyCache(ws);
});
