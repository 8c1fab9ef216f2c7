import assert from "node:assert/strict";
import { mkdtemp, readFile, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import evaluate from "../../stages/evaluate/index.ts";
import type { EvaluateParams } from "../../stages/evaluate/params.ts";
import type { MetricsReport } from "../../stages/evaluate/metrics-files.ts";
import { readNifti } from "../../stages/volume/nifti.ts";
import { makeStageContext } from "../helpers/stage-context.ts";
import {
  RESAMPLED_GRID,
  sampleGrid,
  tumourIndicator,
  writeIngestCases,
  writeResampledCases,
  type SyntheticCase,
} from "./synthetic-cases.ts";
import { writeThresholdModel } from "./threshold-model.ts";

const CASES: SyntheticCase[] = [
  { id: "synth-000", tumour: { centre: [4, 1, 4], radius: 8 }, visible: true },
  { id: "synth-001", tumour: { centre: [-2, 3, 6], radius: 6 }, visible: false },
  { id: "synth-002", tumour: null, visible: false },
  { id: "synth-003", tumour: { centre: [6, -4, 2], radius: 7 }, visible: true },
];

const PARAMS: EvaluateParams = {
  cases: "validation",
  tile_size: null,
  overlap: 0.5,
  blending: "gaussian",
  batch_size: 4,
  backend: "cpu",
  nsd_tolerance_mm: 2,
};

async function setUp(contextSlices: number) {
  const root = await mkdtemp(join(tmpdir(), "segsweep-evaluate-"));
  const dirs = { model: join(root, "model"), images: join(root, "images"), reference: join(root, "reference") };
  await writeIngestCases(dirs.reference, CASES);
  await writeResampledCases(dirs.images, CASES);
  await writeThresholdModel(dirs.model, {
    validation: ["synth-000", "synth-001", "synth-002"],
    train: ["synth-003"],
    patchSize: 16,
    contextSlices,
  });
  return dirs;
}

async function runEvaluate(dirs: Record<string, string>, params: Partial<EvaluateParams> = {}) {
  const ctx = makeStageContext(evaluate, {
    params: { ...PARAMS, ...params },
    inputs: dirs,
    cell: { granularity: "organs", fold: 0 },
  });
  const summary = await evaluate.run(ctx);
  const outputDir = ctx.outputs.metrics;
  const report = JSON.parse(await readFile(join(outputDir, "metrics.json"), "utf8")) as MetricsReport;
  const csv = await readFile(join(outputDir, "metrics.csv"), "utf8");
  return { outputDir, report, csv, summary };
}

test("evaluate writes predictions on the resampled grid", async () => {
  const dirs = await setUp(0);

  const { outputDir } = await runEvaluate(dirs);

  const files = (await readdir(join(outputDir, "predictions"))).sort();
  assert.deepEqual(files, ["synth-000.nii.gz", "synth-001.nii.gz", "synth-002.nii.gz"]);

  const prediction = await readNifti(join(outputDir, "predictions", "synth-000.nii.gz"));
  assert.ok(prediction.data instanceof Uint8Array);
  assert.deepEqual(prediction.shape, RESAMPLED_GRID.shape);
  assert.deepEqual(Array.from(prediction.affine), RESAMPLED_GRID.affine);
  const expected = sampleGrid(RESAMPLED_GRID, new Uint8Array(prediction.data.length), (w) => 2 * tumourIndicator(CASES[0])(w));
  assert.deepEqual(prediction.data, expected);
});

test("evaluate scores the tumour on the original grid", async () => {
  const dirs = await setUp(0);

  const { report, summary } = await runEvaluate(dirs);

  assert.deepEqual(report.cell, { granularity: "organs", fold: 0 });
  assert.deepEqual(report.classes, ["background", "lung", "tumor"]);
  assert.equal(report.tumor_class, 2);
  assert.equal(report.fold, 0);
  assert.match(report.policy, /HD95 null/);
  assert.deepEqual(report.cases.map((c) => c.id), ["synth-000", "synth-001", "synth-002"]);
  assert.deepEqual(summary, { metrics: { cases: 3, mean_dice: report.cases.reduce((s, c) => s + c.dice, 0) / 3, mean_nsd: report.cases.reduce((s, c) => s + c.nsd, 0) / 3 } });

  const [visible, missed, empty] = report.cases;
  // The sphere of radius 8 mm has 2.14 mL; the original grid's voxels are 1.6 uL.
  assert.ok(Math.abs(visible.reference_ml - 2.1447) < 0.15, `reference ${visible.reference_ml} mL`);
  assert.ok(visible.dice > 0.85, `Dice ${visible.dice}`);
  assert.ok(visible.hd95_mm !== null);
  assert.ok(visible.hd95_mm <= 1.6, `HD95 ${visible.hd95_mm} mm`);
  assert.ok(visible.nsd > 0.95, `NSD ${visible.nsd}`);
  assert.equal(visible.nsd_tolerance_mm, 2);
  assert.equal(visible.lesion_f1, 1);
  assert.ok(visible.volume_error_ml < 0.3);

  assert.equal(missed.empty, "prediction");
  assert.equal(missed.dice, 0);
  assert.equal(missed.hd95_mm, null);
  assert.equal(missed.lesion_recall, 0);
  assert.equal(missed.predicted_ml, 0);

  assert.equal(empty.empty, "both");
  assert.equal(empty.dice, 1);
  assert.equal(empty.hd95_mm, 0);
});

test("evaluate writes one CSV row per case", async () => {
  const dirs = await setUp(0);

  const { csv, report } = await runEvaluate(dirs, { cases: "all", blending: "uniform" });

  const lines = csv.trimEnd().split("\n");
  assert.equal(lines[0], "id,dice,hd95_mm,nsd,nsd_tolerance_mm,lesion_precision,lesion_recall,lesion_f1,reference_lesions,predicted_lesions,matched_lesions,volume_error_ml,reference_ml,predicted_ml,empty");
  assert.equal(lines.length, 5);
  assert.equal(report.case_selection, "all");
  const missedRow = lines.find((line) => line.startsWith("synth-001,"))!.split(",");
  assert.equal(missedRow[0], "synth-001");
  assert.equal(missedRow[1], "0");
  assert.equal(missedRow[2], "");
  assert.equal(missedRow[14], "prediction");
});

test("evaluate uses the model's context slices", async () => {
  const dirs = await setUp(1);

  const { report } = await runEvaluate(dirs);

  assert.ok(report.cases[0].dice > 0.85, `Dice ${report.cases[0].dice}`);
});

test("evaluate accepts a larger tile size", async () => {
  const dirs = await setUp(0);

  const { report } = await runEvaluate(dirs, { tile_size: 48 });

  assert.ok(report.cases[0].dice > 0.85, `Dice ${report.cases[0].dice}`);
});

test("evaluate rejects a tile size off the U-Net grid", async () => {
  const dirs = await setUp(0);

  await assert.rejects(runEvaluate(dirs, { tile_size: 20 }), /tile_size 20 is not a multiple of 2\^unet.depth = 8/);
});

test("evaluate runtime facts name the backend", async () => {
  const facts = await evaluate.runtimeFacts!({ ...PARAMS, backend: "cpu" });

  assert.deepEqual(facts, { tfjs_version: "4.22.0", backend: "cpu" });
});

test("evaluate rejects a split case missing from images", async () => {
  const dirs = await setUp(0);
  await writeResampledCases(dirs.images, CASES.slice(1));

  await assert.rejects(runEvaluate(dirs), /validation cases synth-000 of the model's split are not in the images input/);
});
