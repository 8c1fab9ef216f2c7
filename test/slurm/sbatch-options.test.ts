import { test } from "node:test";
import assert from "node:assert/strict";
import { sbatchOptions, timeLimitMinutes } from "../../engine/execute/slurm/sbatch-options.ts";
import { expandIndices } from "../../engine/execute/slurm/slurm-commands.ts";

const FILES = { stdoutPattern: "/cache/slurm/b/%a.out", stderrPattern: "/cache/slurm/b/%a.err" };

test("sbatch options from resources", () => {
  const options = sbatchOptions(
    { jobName: "segsweep:train", size: 4, resources: { cpu: 2.5, gpu: 1, memory_mb: 4096.2 }, timeoutMs: 90 * 60_000, ...FILES },
    { partition: "gpu", account: "lung", extraArgs: ["--qos=high"] },
  );
  assert.ok(options.includes("--array=0-3"));
  assert.ok(options.includes("--cpus-per-task=3"), "fractional cores round up");
  assert.ok(options.includes("--mem=4097M"));
  assert.ok(options.includes("--gres=gpu:1"));
  assert.ok(options.includes("--time=91"), "the timeout plus a minute of grace");
  assert.ok(options.includes("--partition=gpu"));
  assert.ok(options.includes("--account=lung"));
  assert.ok(options.includes("--output=/cache/slurm/b/%a.out"));
  assert.equal(options.at(-1), "--qos=high", "extra arguments come last so they can override");
});

test("sbatch options leave out unset limits", () => {
  const options = sbatchOptions({ jobName: "segsweep:ingest", size: 1, resources: { cpu: 1, gpu: 0, memory_mb: 0 }, ...FILES }, {});
  assert.ok(options.includes("--array=0-0"));
  for (const prefix of ["--mem", "--gres", "--time", "--partition", "--account"]) {
    assert.ok(!options.some((option) => option.startsWith(prefix)), `${prefix} is not set`);
  }
});

test("time limit rounds up to minutes", () => {
  assert.equal(timeLimitMinutes(1), 2);
  assert.equal(timeLimitMinutes(60_000), 2);
  assert.equal(timeLimitMinutes(61_000), 3);
});

test("array index expressions expand", () => {
  assert.deepEqual(expandIndices("0-3"), [0, 1, 2, 3]);
  assert.deepEqual(expandIndices("2,5-6%2"), [2, 5, 6]);
  assert.deepEqual(expandIndices("7"), [7]);
});
