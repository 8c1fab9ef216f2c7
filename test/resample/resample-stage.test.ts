import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Ajv } from "ajv";
import type { ItemCache } from "../../engine/plugin.ts";
import plugin, { type ResampleParams } from "../../stages/resample/index.ts";
import { applyAffine, invertAffine } from "../../stages/volume/affine.ts";
import { readNifti } from "../../stages/volume/nifti.ts";
import { axisCodes } from "../../stages/volume/orientation.ts";
import { resampleToGrid } from "../../stages/volume/resample.ts";
import type { Volume } from "../../stages/volume/volume.ts";
import { makeStageContext } from "../helpers/stage-context.ts";
import { nsclcCase } from "../volume/nsclc-dataset.ts";
import { FIXTURE_LABELS, FIXTURE_SHAPE, chestAt, fixtureAffine, writeFixtureCases } from "./chest-fixture.ts";

const root = mkdtempSync(join(tmpdir(), "segsweep-resample-stage-"));

/** Returns the params with the schema's defaults applied, as the engine does. */
function withDefaults(params: Partial<ResampleParams>): ResampleParams {
  const ajv = new Ajv({ useDefaults: true, strict: false });
  const copy = structuredClone(params);
  const validate = ajv.compile(plugin.params);
  assert.ok(validate(copy), JSON.stringify(validate.errors));
  return copy as ResampleParams;
}

async function fixtureDir(name: string, ids: string[], labels?: Record<string, string>): Promise<string> {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  await writeFixtureCases(dir, ids, labels);
  return dir;
}

async function runStage(inputDir: string, params: Partial<ResampleParams>, logLines: string[] = [], items?: ItemCache) {
  const ctx = makeStageContext(plugin, { params: withDefaults(params), inputs: { cases: inputDir }, logLines });
  if (items) ctx.items = items;
  const summary = await plugin.run(ctx);
  const outputDir = ctx.outputs.cases;
  const casesJson = JSON.parse(readFileSync(join(outputDir, "cases.json"), "utf8"));
  return { outputDir, casesJson, summary };
}

/** Returns the value of `volume` at a world position, by nearest voxel; undefined outside. */
function valueAtWorld(volume: Volume, world: [number, number, number]): number | undefined {
  const index = applyAffine(invertAffine(volume.affine), world).map(Math.round);
  if (index.some((value, a) => value < 0 || value >= volume.shape[a])) return undefined;
  return volume.data[index[0] + volume.shape[0] * (index[1] + volume.shape[1] * index[2])];
}

test("schema defaults match documentation", () => {
  const params = withDefaults({});
  assert.deepEqual(params.spacing_mm, [1.5, 1.5, 3]);
  assert.deepEqual(params.window_hu, [-1000, 500]);
  assert.equal(params.crop, "none");
  assert.equal(params.crop_margin_mm, 10);
  assert.equal(params.body_threshold_hu, -500);
  assert.deepEqual(params.lung_labels, ["lung_left", "lung_right"]);
});

test("resample writes RAS cases at spacing", async () => {
  const inputDir = await fixtureDir("basic", ["case-a", "case-b"]);
  const logLines: string[] = [];
  const { outputDir, casesJson, summary } = await runStage(inputDir, { spacing_mm: [3, 3, 5] }, logLines);

  assert.deepEqual(casesJson.labels, FIXTURE_LABELS);
  assert.equal(casesJson.source, "fixture");
  assert.deepEqual(casesJson.spacing_mm, [3, 3, 5]);
  assert.equal(casesJson.orientation, "RAS");
  assert.deepEqual(casesJson.intensity, { window_hu: [-1000, 500], output_range: [0, 1], clipped: true });
  assert.deepEqual(summary, { cases: { cases: 2, spacing_mm: [3, 3, 5], orientation: "RAS", crop: "none" } });
  assert.equal(casesJson.cases.length, 2);

  const entry = casesJson.cases[0];
  assert.equal(entry.id, "case-a");
  assert.equal(entry.image, "case-a/image.nii.gz");
  assert.deepEqual(entry.original.shape, FIXTURE_SHAPE);
  entry.original.affine.forEach((value: number, i: number) => assert.ok(Math.abs(value - fixtureAffine()[i]) < 1e-4));
  assert.equal(entry.original.orientation, "LPS");
  assert.equal(entry.bbox, undefined);

  const image = await readNifti(join(outputDir, entry.image));
  const label = await readNifti(join(outputDir, entry.label));
  assert.ok(image.data instanceof Float32Array);
  assert.ok(label.data instanceof Uint8Array);
  assert.equal(axisCodes(image.affine), "RAS");
  assert.deepEqual(image.shape, entry.shape);
  assert.deepEqual(label.shape, image.shape);
  image.spacing.forEach((size, a) => assert.ok(Math.abs(size - [3, 3, 5][a]) < 1e-5, `spacing ${image.spacing}`));

  assert.ok(logLines.some((line) => /case-a: LPS 40x32x10 at 2 x 2.5 x 4 mm -> RAS \d+x\d+x\d+/.test(line)), logLines.join("\n"));
  assert.ok(logLines.some((line) => line.includes("case-b: LPS")), logLines.join("\n"));
});

test("resample windows HU to unit range", async () => {
  const inputDir = await fixtureDir("window", ["case-a"]);
  const { outputDir, casesJson } = await runStage(inputDir, { spacing_mm: 2 });
  const image = await readNifti(join(outputDir, casesJson.cases[0].image));

  let min = Infinity;
  let max = -Infinity;
  for (const value of image.data) {
    min = Math.min(min, value);
    max = Math.max(max, value);
  }
  assert.equal(min, 0, "air maps to 0");
  assert.ok(max <= 1, `maximum ${max}`);

  // Soft tissue at 40 HU maps to (40 + 1000) / 1500.
  const soft = valueAtWorld(image, [20, -15, 0]);
  assert.ok(soft !== undefined, "soft tissue point outside the grid");
  assert.ok(Math.abs(soft - 1040 / 1500) < 1e-6, `soft tissue ${soft}`);
  const lung = valueAtWorld(image, [-12, -3, 0]);
  assert.ok(lung !== undefined, "lung point outside the grid");
  assert.ok(Math.abs(lung - 150 / 1500) < 1e-6, `lung ${lung}`);
});

test("resampled labels stay at world positions", async () => {
  const inputDir = await fixtureDir("aligned", ["case-a"]);
  const { outputDir, casesJson } = await runStage(inputDir, { spacing_mm: [1.7, 1.3, 2.9] });
  const label = await readNifti(join(outputDir, casesJson.cases[0].label));

  assert.deepEqual([...new Set(label.data)].sort(), [0, 1, 2, 3]);
  let checked = 0;
  let mismatched = 0;
  let index = 0;
  for (let k = 0; k < label.shape[2]; k++) {
    for (let j = 0; j < label.shape[1]; j++) {
      for (let i = 0; i < label.shape[0]; i++, index++) {
        const world = applyAffine(label.affine, [i, j, k]);
        checked++;
        if (label.data[index] !== chestAt(world).label) mismatched++;
      }
    }
  }
  // Nearest-neighbour lookup moves boundaries by up to half a source voxel (1.25 mm).
  assert.ok(mismatched / checked < 0.08, `${mismatched} of ${checked} voxels disagree with the world label`);
});

test("resampled labels map back to original", async () => {
  const inputDir = await fixtureDir("roundtrip", ["case-a"]);
  const { outputDir, casesJson } = await runStage(inputDir, { spacing_mm: [1, 1.25, 2] });
  const entry = casesJson.cases[0];
  const label = await readNifti(join(outputDir, entry.label));
  const originalLabel = await readNifti(join(inputDir, "case-a", "label.nii.gz"));

  const back = resampleToGrid(label, entry.original.shape, entry.original.affine, "nearest");
  assert.deepEqual(Array.from(back.data), Array.from(originalLabel.data));
});

test("body crop drops couch and keeps world", async () => {
  const inputDir = await fixtureDir("body", ["case-a"]);
  const uncropped = await runStage(inputDir, { spacing_mm: 2 });
  const cropped = await runStage(inputDir, { spacing_mm: 2, crop: "body", crop_margin_mm: 0 });

  const entry = cropped.casesJson.cases[0];
  assert.equal(entry.bbox.mode, "body");
  assert.deepEqual(entry.bbox.grid_shape, uncropped.casesJson.cases[0].shape);
  const image = await readNifti(join(cropped.outputDir, entry.image));
  const full = await readNifti(join(uncropped.outputDir, uncropped.casesJson.cases[0].image));

  // The body spans y in (-22, 22) mm: 22 voxels of 2 mm; the couch below y = -26 mm is cut.
  const yRange = [0, image.shape[1] - 1].map((j) => applyAffine(image.affine, [0, j, 0])[1]);
  assert.ok(yRange[0] > -24, `crop starts at y = ${yRange[0]} mm, inside the couch`);
  assert.ok(yRange[1] < 24, `crop ends at y = ${yRange[1]} mm`);
  assert.equal(cropped.casesJson.crop.mode, "body");

  for (const world of [[0, 0, 0], [20, -15, 4], [-12, 5, -8]] as [number, number, number][]) {
    assert.equal(valueAtWorld(image, world), valueAtWorld(full, world), `value at ${world}`);
  }
});

test("lung crop uses lung labels and margin", async () => {
  const inputDir = await fixtureDir("lung", ["case-a"]);
  const { outputDir, casesJson } = await runStage(inputDir, { spacing_mm: 1, crop: "lung", crop_margin_mm: 3 });
  const entry = casesJson.cases[0];
  const label = await readNifti(join(outputDir, entry.label));

  assert.equal(entry.bbox.mode, "lung");
  // Lungs span x in (-21, 21) mm; with a 3 mm margin the box spans about (-24, 24) mm.
  const xRange = [0, label.shape[0] - 1].map((i) => applyAffine(label.affine, [i, 0, 0])[0]);
  assert.ok(Math.abs(xRange[0] + 24) <= 1.5, `crop starts at x = ${xRange[0]} mm`);
  assert.ok(Math.abs(xRange[1] - 24) <= 1.5, `crop ends at x = ${xRange[1]} mm`);
  assert.ok(label.data.includes(1), "tumor kept");
});

test("lung crop without lung labels fails", async () => {
  const inputDir = await fixtureDir("no-lung-names", ["case-a"], { "0": "background", "1": "tumor", "2": "left", "3": "right" });
  await assert.rejects(
    runStage(inputDir, { crop: "lung" }),
    /crop: lung needs labels named lung_left, lung_right, .*set lung_labels/,
  );
});

test("lung crop falls back to body", async () => {
  const inputDir = await fixtureDir("no-lung-voxels", ["case-a"], { "0": "background", "1": "tumor", "2": "lung_left", "3": "lung_right", "9": "lung" });
  const logLines: string[] = [];
  const { casesJson } = await runStage(inputDir, { spacing_mm: 2, crop: "lung", lung_labels: ["lung"] }, logLines);
  assert.equal(casesJson.cases[0].bbox.mode, "body");
  assert.ok(logLines.some((line) => line.startsWith("warn: case-a: no lung label voxels")), logLines.join("\n"));
});

test("invalid window is rejected", async () => {
  const inputDir = await fixtureDir("bad-window", ["case-a"]);
  await assert.rejects(runStage(inputDir, { window_hu: [500, -1000] }), /invalid window_hu \[500, -1000\]/);
});

/** Creates an item cache that keeps results by item digest and records the items it computed. */
function memoryItemCache(base: ItemCache, dir: string, computed: string[]): ItemCache {
  const stored = new Map<string, string>();
  return {
    ...base,
    async get(itemId, digest, compute) {
      const existing = stored.get(digest);
      if (existing) return existing;
      const itemDir = join(dir, `${itemId}-${stored.size}`);
      mkdirSync(itemDir, { recursive: true });
      await compute(itemDir);
      computed.push(itemId);
      stored.set(digest, itemDir);
      return itemDir;
    },
  };
}

test("adding a case reruns only that case", async () => {
  const firstDir = await fixtureDir("cache-1", ["case-a", "case-b"]);
  const secondDir = await fixtureDir("cache-2", ["case-a", "case-b", "case-c"]);
  const ctx = makeStageContext(plugin, { params: withDefaults({}) });
  const computed: string[] = [];
  const items = memoryItemCache(ctx.items, join(root, "item-cache"), computed);

  await runStage(firstDir, { spacing_mm: 3 }, [], items);
  assert.deepEqual(computed, ["case-a", "case-b"]);

  const logLines: string[] = [];
  const second = await runStage(secondDir, { spacing_mm: 3 }, logLines, items);
  assert.deepEqual(computed, ["case-a", "case-b", "case-c"]);
  assert.equal(second.casesJson.cases.length, 3);
  assert.ok(existsSync(join(second.outputDir, "case-a", "image.nii.gz")));
  assert.ok(logLines.some((line) => line.includes("case-a") && line.endsWith("(cached)")), logLines.join("\n"));
});

test("resample on NSCLC case", async (t) => {
  const paths = nsclcCase(t, "LUNG1-001");
  if (!paths) return;

  const inputDir = join(root, "nsclc");
  mkdirSync(join(inputDir, "LUNG1-001"), { recursive: true });
  symlinkSync(paths.image, join(inputDir, "LUNG1-001", "image.nii.gz"));
  symlinkSync(paths.label, join(inputDir, "LUNG1-001", "label.nii.gz"));
  const labels = { "0": "background", "1": "tumor", "2": "lung_left", "3": "lung_right", "4": "heart", "5": "esophagus", "6": "spinal_cord" };
  const cases = [{ id: "LUNG1-001", image: "LUNG1-001/image.nii.gz", label: "LUNG1-001/label.nii.gz" }];
  writeFileSync(join(inputDir, "cases.json"), JSON.stringify({ source: "nsclc", synthetic: false, labels, cases }));

  const logLines: string[] = [];
  const { outputDir, casesJson } = await runStage(inputDir, { crop: "lung" }, logLines);
  const entry = casesJson.cases[0];
  const label = await readNifti(join(outputDir, entry.label));
  const image = await readNifti(join(outputDir, entry.image));

  assert.equal(entry.original.orientation, "LPS");
  assert.equal(axisCodes(image.affine), "RAS");
  assert.equal(entry.bbox.mode, "lung");
  assert.ok(label.data.includes(1), "tumor present after the lung crop");
  assert.ok(!logLines.some((line) => line.includes("cuts")), logLines.join("\n"));
  image.spacing.forEach((size, a) => assert.ok(Math.abs(size - [1.5, 1.5, 3][a]) < 1e-5, `spacing ${image.spacing}`));
});
