/**
 * The compare stage on fabricated grids with a known outcome: a clear effect, no effect, an
 * effect hidden by seed noise, too few seeds, a loss table and an error metric (HD95).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import compare from "../../stages/compare/index.ts";
import type { MatrixCell } from "../../engine/plugin.ts";
import { COMPARE_DEFAULTS, type CompareParams } from "../../stages/compare/params.ts";
import { makeStageContext } from "../helpers/stage-context.ts";
import { randomStream, writeGrid, type GridSpec } from "./fabricated-grid.ts";

const defaults: CompareParams = { ...COMPARE_DEFAULTS, seed: 7 };

/** Per-case base Dice from 0.45 to 0.8, so that cases differ far more than arms. */
const baseDice = (caseIndex: number) => 0.45 + ((caseIndex * 37) % 36) / 100;

/** Noise in [-amplitude, amplitude], fixed per (arm, loss, seed, case). */
function noise(amplitude: number, ...keys: Array<string | number>): number {
  let seed = 17;
  for (const key of keys.join("/")) seed = Math.imul(seed, 31) + key.charCodeAt(0);
  return amplitude * (2 * randomStream(seed)() - 1);
}

async function runCompare(spec: GridSpec, params: Partial<CompareParams> = {}, withVolumes = false) {
  const grid = await writeGrid(spec, withVolumes);
  const inputs: Record<string, { path: string; cell: MatrixCell }[]> = { metrics: grid.metrics };
  if (withVolumes) {
    inputs.models = grid.models;
    inputs.images = [{ path: grid.images!, cell: {} }];
  }
  const logLines: string[] = [];
  const ctx = makeStageContext(compare, { params: { ...defaults, ...params }, inputs, logLines });
  const summary = await compare.run(ctx);
  const dir = ctx.outputs.report;
  const report = JSON.parse(readFileSync(join(dir, "report.json"), "utf8"));
  const markdown = readFileSync(join(dir, "report.md"), "utf8");
  return { dir, report, markdown, summary, logLines };
}

const grid = (dice: GridSpec["dice"], overrides: Partial<GridSpec> = {}): GridSpec => ({
  arms: ["binary", "organs"],
  losses: ["ce"],
  seeds: [1, 2, 3],
  folds: 3,
  cases: 12,
  dice,
  ...overrides,
});

test("clear effect is significant and better", async () => {
  const spec = grid((arm, loss, seed, i) => baseDice(i) + (arm === "organs" ? 0.1 : 0) + noise(0.02, arm, loss, seed, i));
  const { report, markdown } = await runCompare(spec);
  const row = report.arm_comparisons[0];

  assert.equal(report.arm_comparisons.length, 1);
  assert.equal(row.treatment, "organs (ce)");
  assert.equal(row.baseline, "binary (ce)");
  assert.equal(row.n, 12);
  assert.ok(Math.abs(row.mean_difference - 0.1) < 0.02, `mean difference ${row.mean_difference}`);
  assert.ok(row.ci_low > 0.08, `CI low ${row.ci_low}`);
  assert.ok(row.ci_high < 0.12, `CI high ${row.ci_high}`);
  assert.ok(row.p_holm < 0.001, `p ${row.p_holm}`);
  assert.equal(row.rank_biserial, 1);
  assert.equal(row.significant, true);
  assert.equal(row.outcome, "better");
  assert.match(row.verdict, /^organs \(ce\) segments the tumor better than binary \(ce\): Dice \+0\.\d{3} on average/);
  assert.match(report.answer, /^Compared with the binary arm, a multi-class arm segmented the tumor better in 1 of 1 comparisons\./);
  assert.match(report.answer, /With 12 cases, differences under 0\.0\d\d Dice cannot be told from noise/);
  assert.match(markdown, /segments the tumor better than binary/);
  assert.deepEqual(row.warnings, []);
});

test("no effect gives no difference shown", async () => {
  const spec = grid((arm, loss, seed, i) => baseDice(i) + noise(0.04, arm, loss, seed, i));
  const { report } = await runCompare(spec);
  const row = report.arm_comparisons[0];

  assert.equal(row.significant, false);
  assert.equal(row.outcome, "no difference shown");
  assert.ok(row.ci_low < 0, `CI low ${row.ci_low}`);
  assert.ok(row.ci_high > 0, `CI high ${row.ci_high}`);
  assert.match(row.verdict, /no difference could be shown/);
  assert.match(row.verdict, /With 12 cases, differences under 0\.\d{3} Dice cannot be told from noise/);
  assert.ok(row.min_detectable_difference > 0, `detectable ${row.min_detectable_difference}`);
  assert.ok(row.min_detectable_difference < 0.1, `detectable ${row.min_detectable_difference}`);
  assert.match(report.answer, /^No multi-class arm could be shown to differ from the binary arm in tumor Dice \(1 comparison\)\. With 12 cases/);
});

test("seed noise hides effect with warning", async () => {
  // Each (arm, seed) run is shifted as a whole, so the per-seed means spread by about 0.1
  // while the arms differ by 0.03.
  const shift: Record<string, number[]> = { binary: [0.08, -0.1, 0.05], organs: [-0.09, 0.12, 0] };
  const spec = grid((arm, loss, seed, i) => baseDice(i) + (arm === "organs" ? 0.03 : 0) + shift[arm][seed - 1] + noise(0.01, arm, seed, i));
  const { report, markdown } = await runCompare(spec);
  const row = report.arm_comparisons[0];
  const group = report.groups.find((g: { arm: string }) => g.arm === "organs");

  assert.equal(row.warnings.length, 1);
  assert.match(row.warnings[0], /seed spread .* is as large as the difference/);
  assert.ok(group.seed_sd >= Math.abs(row.mean_difference), `seed SD ${group.seed_sd}, diff ${row.mean_difference}`);
  assert.equal(Object.keys(group.seed_means).length, 3);
  assert.match(markdown, /Caution: The seed spread/);
});

test("fewer than 3 seeds warns", async () => {
  const spec = grid((arm, loss, seed, i) => baseDice(i) + (arm === "organs" ? 0.1 : 0), { seeds: [1, 2] });
  const { report, logLines } = await runCompare(spec);

  const warning = "warn: Too few seeds to judge the seed spread, which needs at least 3 per arm and loss (binary (ce): 2, organs (ce): 2).";
  assert.ok(logLines.includes(warning), logLines.join("\n"));
});

test("three arms share one Holm family", async () => {
  const spec = grid((arm, loss, seed, i) => baseDice(i) + (arm === "fine" ? 0.1 : 0) + noise(0.03, arm, loss, seed, i), {
    arms: ["binary", "organs", "fine"],
  });
  const { report } = await runCompare(spec);
  const [organs, fine] = report.arm_comparisons;

  assert.equal(organs.treatment, "organs (ce)");
  assert.equal(fine.treatment, "fine (ce)");
  assert.equal(fine.outcome, "better");
  assert.equal(organs.outcome, "no difference shown");
  // Holm with two p-values: the smaller is doubled, the larger kept unless below the doubled one.
  const smaller = Math.min(organs.p_value, fine.p_value);
  assert.ok(Math.abs(fine.p_holm - Math.min(1, 2 * smaller)) < 1e-12);
  assert.ok(organs.p_holm >= fine.p_holm);
  assert.match(report.answer, /segmented the tumor better in 1 of 2 comparisons; the other 1 showed no difference/);
});

test("loss table compares within arms", async () => {
  const spec = grid((arm, loss, seed, i) => baseDice(i) - (loss === "focal" ? 0.08 : 0) + noise(0.02, arm, loss, seed, i), {
    losses: ["ce", "focal"],
  });
  const { report } = await runCompare(spec);

  assert.equal(report.params.reference_loss, "ce");
  assert.equal(report.arm_comparisons.length, 2);
  assert.deepEqual(
    report.loss_comparisons.map((r: { treatment: string; baseline: string }) => `${r.treatment} vs ${r.baseline}`),
    ["binary (focal) vs binary (ce)", "organs (focal) vs organs (ce)"],
  );
  assert.ok(report.loss_comparisons.every((r: { outcome: string }) => r.outcome === "worse"));
});

test("hd95 lower counts as better", async () => {
  const spec = grid((arm, loss, seed, i) => baseDice(i) + (arm === "organs" ? 0.1 : 0) + noise(0.02, arm, loss, seed, i));
  const { report } = await runCompare(spec, { metric: "hd95_mm" });
  const row = report.arm_comparisons[0];

  assert.ok(row.mean_difference < 0, `HD95 difference ${row.mean_difference}`);
  assert.equal(row.outcome, "better");
  assert.equal(report.better, "lower");
});

test("missing baseline arm is rejected", async () => {
  const spec = grid((_arm, _loss, _seed, i) => baseDice(i));
  await assert.rejects(runCompare(spec, { baseline: "two-class" }), /baseline arm 'two-class' is not in the metrics; set 'baseline' to one of: binary, organs/);
});

test("unknown metric is rejected", async () => {
  const spec = grid((_arm, _loss, _seed, i) => baseDice(i));
  await assert.rejects(runCompare(spec, { metric: "jaccard" }), /no case in metrics.json has the metric 'jaccard'; set 'metric' to one of: id, dice/);
});

test("bootstrap interval repeats with seed", async () => {
  const spec = grid((arm, loss, seed, i) => baseDice(i) + (arm === "organs" ? 0.05 : 0) + noise(0.05, arm, loss, seed, i));
  const first = (await runCompare(spec)).report.arm_comparisons[0];
  const second = (await runCompare(spec)).report.arm_comparisons[0];
  const other = (await runCompare(spec, { seed: 8 })).report.arm_comparisons[0];

  assert.equal(first.ci_low, second.ci_low);
  assert.equal(first.ci_high, second.ci_high);
  assert.notEqual(first.ci_low, other.ci_low);
});

test("null hd95 cases are left out", async () => {
  // Case 0 of organs has an empty prediction: Dice 0, HD95 null.
  const spec = grid((arm, loss, seed, i) => (arm === "organs" && i === 0 ? 0 : baseDice(i) + noise(0.02, arm, loss, seed, i)));
  const { report } = await runCompare(spec, { metric: "hd95_mm" });

  assert.equal(report.arm_comparisons[0].n, 11);
  assert.ok(report.warnings.includes("3 case results had no finite 'hd95_mm' (for example HD95 with an empty mask) and were left out."));
});

test("all-case evaluation warns", async () => {
  const spec = grid((_arm, _loss, _seed, i) => baseDice(i), { caseSelection: "all" });
  const { report } = await runCompare(spec);

  assert.ok(report.warnings.some((w: string) => /^18 evaluate cells scored all cases, not only their validation fold/.test(w)));
});

test("untrained models warn", async () => {
  const spec = grid((arm, loss, seed, i) => 0.02 + noise(0.01, arm, loss, seed, i));
  const { report, logLines } = await runCompare(spec);
  const warning = report.warnings.find((w: string) => w.startsWith("No arm reached a mean tumor Dice of 0.1"));
  assert.ok(warning, report.warnings.join("\n"));
  assert.match(warning, /the models did not learn to find the tumor/);
  assert.ok(logLines.some((line) => line.startsWith("warn: No arm reached")), "the warning reaches the task log");
});

test("trained models do not warn", async () => {
  const spec = grid((arm, loss, seed, i) => baseDice(i) + noise(0.04, arm, loss, seed, i));
  const { report } = await runCompare(spec);
  assert.ok(!report.warnings.some((w: string) => w.startsWith("No arm reached")), report.warnings.join("\n"));
});

test("undertrained models warn", async () => {
  const spec = grid((arm, loss, seed, i) => 0.2 + (arm === "binary" ? 0.05 : 0) + noise(0.01, arm, loss, seed, i));
  const { report } = await runCompare(spec);
  const warning = report.warnings.find((w: string) => w.startsWith("The best arm reached a mean tumor Dice of only"));
  assert.ok(warning, report.warnings.join("\n"));
  assert.match(warning, /binary \(ce\)/);
  assert.match(warning, /how fast each arm learns under this training budget/);
});
