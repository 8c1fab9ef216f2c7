/**
 * The compare stage under the real engine: a stand-in evaluate stage with a granularity x seed x
 * fold matrix writes fabricated metrics, and compare fans in every cell.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Workspace } from "../helpers/workspace.ts";

/** Writes metrics.json for the cell's fold: Dice 0.5 + 0.03 x case, plus 0.08 for organs. */
const FABRICATED_EVALUATE = `
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export default {
  name: "fabricated-evaluate",
  version: "1",
  description: "Writes made-up per-case metrics for one cell",
  params: { type: "object", properties: { cases: { type: "integer" }, folds: { type: "integer" } } },
  inputs: {},
  outputs: { metrics: { description: "metrics.json", kind: "tumor-metrics" } },
  async run(ctx) {
    const { granularity, seed, fold } = ctx.cell;
    const cases = [];
    for (let i = fold; i < ctx.params.cases; i += ctx.params.folds) {
      const wiggle = 0.01 * Math.sin(5 * i + 3 * seed + granularity.length);
      const dice = 0.5 + 0.03 * i + (granularity === "organs" ? 0.08 : 0) + wiggle;
      cases.push({ id: "synth-" + String(i).padStart(3, "0"), dice, hd95_mm: 10 * (1 - dice) });
    }
    mkdirSync(join(ctx.outputs.metrics, "predictions"), { recursive: true });
    const classes = granularity === "binary" ? ["background", "tumor"] : ["background", "lung", "tumor"];
    writeFileSync(join(ctx.outputs.metrics, "metrics.json"), JSON.stringify({ cell: ctx.cell, classes, case_selection: "validation", cases }));
  },
};
`;

const PIPELINE = `version: 1
stages:
  evaluate:
    uses: ./fabricated-evaluate.ts
    matrix:
      granularity: [binary, organs]
      loss: [ce]
      seed: [1, 2, 3]
      fold: [0, 1]
    with: { cases: 10, folds: 2 }
  compare:
    uses: compare
    with: { baseline: binary, bootstrap_resamples: 10000 }
    inputs: { metrics: evaluate.metrics }
`;

test("compare fans in evaluate cells under engine", async () => {
  const ws = new Workspace();
  ws.write("fabricated-evaluate.ts", FABRICATED_EVALUATE);
  const file = ws.write("p.yaml", PIPELINE);

  const result = await ws.cli("run", file, "--json");
  assert.equal(result.code, 0, result.stderr);
  const summary = JSON.parse(result.stdout) as { tasks: { id: string; status: string; outputs?: Record<string, string> }[] };
  const task = summary.tasks.find((t) => t.id === "compare");
  assert.ok(task?.outputs?.report, `no compare output in ${result.stdout}`);

  const dir = join(ws.dir, ".segsweep", "objects", task.outputs.report.slice("sha256:".length));
  const report = JSON.parse(readFileSync(join(dir, "report.json"), "utf8"));
  const row = report.arm_comparisons[0];
  assert.equal(row.treatment, "organs (ce)");
  assert.equal(row.n, 10);
  assert.equal(row.outcome, "better");
  assert.ok(Math.abs(row.mean_difference - 0.08) < 0.01, `mean difference ${row.mean_difference}`);
  assert.equal(report.groups[0].seeds, 3);
  assert.match(readFileSync(join(dir, "report.html"), "utf8"), /<svg/);
});
