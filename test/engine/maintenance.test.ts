import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Workspace } from "../helpers/workspace.ts";

const PIPELINE = (text: string) => `version: 1
stages:
  a:
    uses: ./write-text.ts
    with: { text: ${text} }
`;

test("verify finds and removes a corrupt artifact", async () => {
  const ws = new Workspace();
  const file = ws.write("p.yaml", PIPELINE("one"));
  assert.equal((await ws.cli("run", file)).code, 0);

  const objects = join(ws.dir, ".segsweep", "objects");
  const [hex] = readdirSync(objects);
  const target = join(objects, hex, "text.txt");
  chmodSync(target, 0o644);
  writeFileSync(target, "tampered");

  const report = await ws.cli("cache", "verify");
  assert.equal(report.code, 1);
  assert.match(report.stdout, new RegExp(`corrupt artifact objects/${hex}`));
  assert.match(report.stdout, /1 results affected/);

  const removed = await ws.cli("cache", "verify", "--remove");
  assert.equal(removed.code, 0);
  const rerun = await ws.cli("run", file, "--json");
  assert.equal(JSON.parse(rerun.stdout).counts.ran, 1, "the task whose artifact was corrupt runs again");
});

test("gc removes what no kept run references", async () => {
  const ws = new Workspace();
  const file = ws.write("p.yaml", PIPELINE("one"));
  assert.equal((await ws.cli("run", file)).code, 0);
  ws.write("p.yaml", PIPELINE("two"));
  assert.equal((await ws.cli("run", file)).code, 0);
  assert.equal(readdirSync(join(ws.dir, ".segsweep", "objects")).length, 2);

  const dry = await ws.cli("cache", "gc", "--keep-runs", "1", "--dry-run");
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /would remove 1 results, 1 artifacts \(0\.0 MiB\)/);
  assert.equal(readdirSync(join(ws.dir, ".segsweep", "objects")).length, 2, "a dry run removes nothing");

  const real = await ws.cli("cache", "gc", "--keep-runs", "1");
  assert.match(real.stdout, /removed 1 results, 1 artifacts/);
  assert.equal(readdirSync(join(ws.dir, ".segsweep", "objects")).length, 1);
  const rerun = await ws.cli("run", file, "--json");
  assert.equal(JSON.parse(rerun.stdout).counts.cached, 1, "the kept run's result survives");

  const listing = await ws.cli("cache", "ls");
  assert.match(listing.stdout, /1 results in/);
});

test("gc removes finished slurm batches only", async () => {
  const ws = new Workspace();
  const file = ws.write("p.yaml", PIPELINE("one"));
  assert.equal((await ws.cli("run", file)).code, 0);

  const slurm = join(ws.dir, ".segsweep", "slurm");
  for (const dir of ["batches/finished", "batches/pending", "specs", "jobs"]) mkdirSync(join(slurm, dir), { recursive: true });
  writeFileSync(join(slurm, "batches", "finished", "0.out"), "done");
  writeFileSync(join(slurm, "batches", "pending", "0.out"), "running");
  writeFileSync(join(slurm, "specs", "old-attempt1.json"), "{}");
  writeFileSync(join(slurm, "specs", "live-attempt1.json"), "{}");
  writeFileSync(join(slurm, "jobs", "live.json"), JSON.stringify({
    specFile: join(slurm, "specs", "live-attempt1.json"),
    stdoutFile: join(slurm, "batches", "pending", "0.out"),
  }));

  const result = await ws.cli("cache", "gc");
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /removed 2 finished Slurm batch folders and spec files/);
  assert.deepEqual(readdirSync(join(slurm, "batches")), ["pending"]);
  assert.deepEqual(readdirSync(join(slurm, "specs")), ["live-attempt1.json"]);
});
