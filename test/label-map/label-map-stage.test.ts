import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { before, test } from "node:test";
import ingest from "../../stages/ingest/index.ts";
import labelMap, { type LabelMapParams } from "../../stages/label-map/index.ts";
import { readNifti } from "../../stages/volume/nifti.ts";
import { makeStageContext } from "../helpers/stage-context.ts";

const NSCLC_DIR = resolve(process.env.SEGSWEEP_NSCLC_DIR ?? "../shared/data/nsclc-radiomics-8");

interface LabelsJson {
  preset: string;
  classes: string[];
  tumor_class: number;
  regions?: Record<string, number[]>;
  synthetic: boolean;
  cases: { id: string; label: string; voxel_counts: Record<string, number>; unannotated: string[] }[];
}

let syntheticCases: string;

before(async () => {
  const ctx = makeStageContext(ingest, {
    params: {
      source: "synthetic-chest",
      cases: 3,
      seed: 2,
      phantom: { shape: [64, 64, 24], spacing_mm: [5.4, 5.4, 10], drop_organ_probability: 1 },
      affine_tolerance_mm: 0.1,
    },
  });
  await ingest.run(ctx);
  syntheticCases = ctx.outputs.cases;
});

async function runLabelMap(params: LabelMapParams, casesDir: string) {
  const logLines: string[] = [];
  const ctx = makeStageContext(labelMap, { params, inputs: { cases: casesDir }, logLines });
  const summary = await labelMap.run(ctx);
  const labelsJson = JSON.parse(await readFile(join(ctx.outputs.labels, "labels.json"), "utf8")) as LabelsJson;
  return { dir: ctx.outputs.labels, labelsJson, summary, logLines };
}

test("label-map organs records dropped contours", async () => {
  const { dir, labelsJson, summary } = await runLabelMap({ preset: "organs" }, syntheticCases);
  const casesJson = JSON.parse(await readFile(join(syntheticCases, "cases.json"), "utf8"));

  assert.equal(labelsJson.synthetic, true);
  assert.equal(labelsJson.tumor_class, 1);
  assert.equal(labelsJson.cases.length, 3);
  for (const [n, entry] of labelsJson.cases.entries()) {
    const dropped: string[] = casesJson.cases[n].phantom.unannotated;
    assert.equal(dropped.length, 1);
    assert.deepEqual(entry.unannotated, dropped);
    assert.equal(entry.voxel_counts[dropped[0]], 0);
    assert.ok(entry.voxel_counts.tumor > 0);

    const label = await readNifti(join(dir, entry.label));
    assert.ok(label.data instanceof Uint8Array);
    assert.equal(Math.max(...label.data), labelsJson.classes.length - 1);
    const total = Object.values(entry.voxel_counts).reduce((a, b) => a + b, 0);
    assert.equal(total, label.data.length);
    assert.equal(label.data.filter((value) => value === 2).length, entry.voxel_counts.lung);
  }
  assert.deepEqual(summary, { labels: { preset: "organs", classes: 6, cases: 3, cases_with_unannotated: 3 } });
});

test("label-map binary has no unannotated classes", async () => {
  const { labelsJson } = await runLabelMap({ preset: "binary" }, syntheticCases);
  assert.deepEqual(labelsJson.classes, ["background", "tumor"]);
  for (const entry of labelsJson.cases) assert.deepEqual(entry.unannotated, []);
});

test("label-map region encodes nested regions", async () => {
  const { dir, labelsJson } = await runLabelMap({ preset: "region" }, syntheticCases);
  assert.deepEqual(labelsJson.classes, ["background", "lung", "tumor"]);
  assert.deepEqual(labelsJson.regions, { lung: [1, 2], tumor: [2] });

  const source = await readNifti(join(syntheticCases, "synth-000", "label.nii.gz"));
  const mapped = await readNifti(join(dir, "synth-000", "label.nii.gz"));
  for (let n = 0; n < source.data.length; n++) {
    let expected = 0;
    if (source.data[n] === 1) expected = 2;
    else if (source.data[n] === 2 || source.data[n] === 3) expected = 1;
    if (mapped.data[n] !== expected) assert.fail(`voxel ${n}: source ${source.data[n]} mapped to ${mapped.data[n]}`);
  }
});

test("label-map custom mapping and its errors", async () => {
  const { labelsJson } = await runLabelMap(
    { mapping: { tumor: ["tumor"], airway: ["trachea"] }, drop: ["lung_left", "lung_right", "heart", "esophagus", "spinal_cord", "vessels", "body"] },
    syntheticCases,
  );
  assert.equal(labelsJson.preset, "custom");
  assert.deepEqual(labelsJson.classes, ["background", "tumor", "airway"]);
  assert.ok(labelsJson.cases.every((entry) => entry.voxel_counts.airway > 0));

  await assert.rejects(
    runLabelMap({ mapping: { tumor: ["tumor"] }, drop: ["heart"] }, syntheticCases),
    /'lung_left', 'lung_right', 'esophagus', 'spinal_cord', 'trachea', 'vessels', 'body' are neither mapped nor dropped/,
  );
  await assert.rejects(runLabelMap({ preset: "binary", mapping: { tumor: ["tumor"] } }, syntheticCases), /give either 'preset' \(binary\) or 'mapping', not both/);
  await assert.rejects(runLabelMap({}, syntheticCases), /set 'preset' to one of binary, organs, fine, region/);
  await assert.rejects(runLabelMap({ preset: "binary", drop: ["heart"] }, syntheticCases), /'drop' applies to a custom 'mapping' only/);
});

test("label-map flags real partial annotation", async (t) => {
  if (!existsSync(join(NSCLC_DIR, "dataset.json"))) {
    t.skip(`NSCLC-Radiomics data not found at ${NSCLC_DIR}: set SEGSWEEP_NSCLC_DIR`);
    return;
  }
  // A cases artifact whose label maps are links to the real files; label-map reads no images.
  const casesDir = mkdtempSync(join(tmpdir(), "segsweep-nsclc-cases-"));
  const dataset = JSON.parse(await readFile(join(NSCLC_DIR, "dataset.json"), "utf8"));
  const ids = ["LUNG1-001", "LUNG1-004"];
  for (const id of ids) {
    mkdirSync(join(casesDir, id));
    symlinkSync(join(NSCLC_DIR, "labelsTr", `${id}.nii.gz`), join(casesDir, id, "label.nii.gz"));
  }
  const cases = ids.map((id) => ({ id, image: `${id}/image.nii.gz`, label: `${id}/label.nii.gz` }));
  writeFileSync(join(casesDir, "cases.json"), JSON.stringify({ source: NSCLC_DIR, synthetic: false, labels: dataset.labels, cases }));

  const organs = await runLabelMap({ preset: "organs" }, casesDir);
  assert.deepEqual(organs.labelsJson.cases[0].unannotated, ["heart", "esophagus"]);
  assert.deepEqual(organs.labelsJson.cases[1].unannotated, ["heart"]);
  assert.ok(organs.logLines.includes("info: LUNG1-001: unannotated heart, esophagus"), organs.logLines.join("\n"));
  for (const entry of organs.labelsJson.cases) {
    assert.ok(entry.voxel_counts.tumor > 0);
    assert.ok(entry.voxel_counts.lung > 0);
    assert.ok(entry.voxel_counts.spinal_cord > 0);
  }

  const fine = await runLabelMap({ preset: "fine" }, casesDir);
  assert.deepEqual(fine.labelsJson.cases[0].unannotated, ["heart", "esophagus"]);

  const binary = await runLabelMap({ preset: "binary" }, casesDir);
  assert.deepEqual(binary.labelsJson.cases.map((entry) => entry.unannotated), [[], []]);
});
