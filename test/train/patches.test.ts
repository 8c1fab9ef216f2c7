import { test, before } from "node:test";
import assert from "node:assert/strict";
import { loadCases, readLabelsManifest, type TrainingCase } from "../../stages/train/dataset.ts";
import { assembleBatch, isTumorPatch, samplePatchCentre, type PatchCentre } from "../../stages/train/patches.ts";
import { Rng } from "../../stages/train/rng.ts";
import { kFoldSplit } from "../../stages/train/split.ts";
import { writeSyntheticDataset, type SyntheticDataset } from "./synthetic-dataset.ts";

let dataset: SyntheticDataset;

before(async () => {
  dataset = await writeSyntheticDataset(4);
});

async function armCases(labelsDir: string): Promise<{ cases: TrainingCase[]; tumorClass: number; ids: string[] }> {
  const labels = await readLabelsManifest(labelsDir);
  const split = kFoldSplit(labels.cases.map((c) => c.id), 2, 0, 3);
  return { cases: await loadCases(dataset.imagesDir, labelsDir, labels, split.train), tumorClass: labels.tumor_class, ids: split.train };
}

function drawCentres(cases: TrainingCase[], seed: number, count: number, fraction: number): PatchCentre[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, (_, i) => samplePatchCentre(rng, cases, isTumorPatch(i, fraction)));
}

test("split identical in binary and organs arms", async () => {
  const binary = await armCases(dataset.binaryDir);
  const organs = await armCases(dataset.organsDir);
  assert.deepEqual(binary.ids, organs.ids);
});

test("same patches in binary and organs arms", async () => {
  const binary = await armCases(dataset.binaryDir);
  const organs = await armCases(dataset.organsDir);
  assert.notEqual(binary.tumorClass, organs.tumorClass);

  const binaryCentres = drawCentres(binary.cases, 5, 300, 0.33);
  const organsCentres = drawCentres(organs.cases, 5, 300, 0.33);
  assert.deepEqual(binaryCentres, organsCentres);

  const binaryBatch = assembleBatch(binary.cases, binaryCentres.slice(0, 8), 16, 1);
  const organsBatch = assembleBatch(organs.cases, organsCentres.slice(0, 8), 16, 1);
  assert.deepEqual(binaryBatch.images, organsBatch.images);
  assert.notDeepEqual(binaryBatch.labels, organsBatch.labels);
});

test("tumor patch fraction honoured", async () => {
  const { cases, tumorClass } = await armCases(dataset.organsDir);
  for (const fraction of [0, 0.33, 0.5, 1]) {
    const centres = drawCentres(cases, 11, 1000, fraction);
    const tumorCount = centres.filter((c) => c.tumor).length;
    assert.equal(tumorCount, Math.floor(1000 * fraction), `fraction ${fraction}`);
    for (let n = 1; n <= 1000; n += 37) {
      const prefix = centres.slice(0, n).filter((c) => c.tumor).length;
      assert.equal(prefix, Math.floor(n * fraction), `fraction ${fraction}, first ${n} patches`);
    }
    for (const centre of centres.filter((c) => c.tumor)) {
      const { label, shape } = cases[centre.caseIndex];
      const value = label[centre.x + shape[0] * (centre.y + shape[1] * centre.z)];
      assert.equal(value, tumorClass, `tumor centre ${JSON.stringify(centre)}`);
    }
  }
});

test("patch centre is pixel P/2", async () => {
  const { cases } = await armCases(dataset.organsDir);
  const centre: PatchCentre = { caseIndex: 0, z: 1, y: 0, x: 31, tumor: false };
  const batch = assembleBatch(cases, [centre], 8, 1);
  const channels = 3;
  const [nx, ny] = cases[0].shape;
  const expected = cases[0].image.data[31 + nx * (0 + ny * 1)];
  assert.equal(batch.images[(4 * 8 + 4) * channels + 1], expected);
  // Row 0 of the patch is y = -4, outside the volume: padded with 0 and background.
  assert.equal(batch.images[1], 0);
  assert.equal(batch.labels[0], 0);
});

test("2.5D channels clamp at volume edges", async () => {
  const { cases } = await armCases(dataset.organsDir);
  const [nx, ny, nz] = cases[0].shape;
  const centre: PatchCentre = { caseIndex: 0, z: nz - 1, y: 12, x: 12, tumor: false };
  const batch = assembleBatch(cases, [centre], 8, 2);
  const at = (z: number) => cases[0].image.data[12 + nx * (12 + ny * z)];
  const pixel = (4 * 8 + 4) * 5;
  assert.deepEqual(Array.from(batch.images.slice(pixel, pixel + 5)), [at(nz - 3), at(nz - 2), at(nz - 1), at(nz - 1), at(nz - 1)]);
});

test("marginal classes read from labels.json", async () => {
  const labels = await readLabelsManifest(dataset.organsDir);
  const cases = await loadCases(dataset.imagesDir, dataset.organsDir, labels, dataset.caseIds);
  assert.deepEqual(cases.map((c) => c.unannotated), [[], [], [], [1]]);
  const binaryLabels = await readLabelsManifest(dataset.binaryDir);
  const binaryCases = await loadCases(dataset.imagesDir, dataset.binaryDir, binaryLabels, dataset.caseIds);
  assert.ok(binaryCases.every((c) => c.unannotated.length === 0));
});
