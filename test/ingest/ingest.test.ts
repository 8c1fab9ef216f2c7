import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { test } from "node:test";
import ingest, { type IngestParams } from "../../stages/ingest/index.ts";
import { generateChestCase } from "../../stages/phantom/chest-phantom.ts";
import { phantomLabelTable } from "../../stages/phantom/labels.ts";
import { readNifti, writeNifti } from "../../stages/volume/nifti.ts";
import type { Volume } from "../../stages/volume/volume.ts";
import { makeStageContext } from "../helpers/stage-context.ts";

const SMALL_GRID = { shape: [48, 48, 16] as [number, number, number], spacing_mm: [7.2, 7.2, 15] as [number, number, number] };
const NSCLC_DIR = resolve(process.env.SEGSWEEP_NSCLC_DIR ?? "../shared/data/nsclc-radiomics-8");

function params(source: string, extra: Partial<IngestParams> = {}): IngestParams {
  return { source, cases: 2, seed: 5, phantom: SMALL_GRID, affine_tolerance_mm: 0.1, ...extra };
}

async function runIngest(source: string, extra: Partial<IngestParams> = {}) {
  const logLines: string[] = [];
  const ctx = makeStageContext(ingest, { params: params(source, extra), logLines });
  await ingest.run(ctx);
  const casesJson = JSON.parse(await readFile(join(ctx.outputs.cases, "cases.json"), "utf8"));
  return { dir: ctx.outputs.cases, casesJson, logLines };
}

/** Small phantom cases, the raw material of the data set fixtures. */
function phantomCase(index: number) {
  return generateChestCase({ seed: 9, index, shape: SMALL_GRID.shape, spacingMm: SMALL_GRID.spacing_mm });
}

/** Writes an MSD folder with the given cases and returns its path. */
async function writeMsdDataset(ids: string[]): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), "segsweep-msd-"));
  mkdirSync(join(root, "imagesTr"));
  mkdirSync(join(root, "labelsTr"));
  const training = [];
  for (const [index, id] of ids.entries()) {
    const phantom = phantomCase(index);
    await writeNifti(join(root, "imagesTr", `${id}.nii.gz`), phantom.image);
    await writeNifti(join(root, "labelsTr", `${id}.nii.gz`), phantom.label);
    training.push({ image: `./imagesTr/${id}.nii.gz`, label: `./labelsTr/${id}.nii.gz` });
  }
  const dataset = { name: "phantom", labels: phantomLabelTable(), training, test: [] };
  writeFileSync(join(root, "dataset.json"), JSON.stringify(dataset));
  return root;
}

/** Writes a folder pair data set; `edit` may change each case's volumes before writing. */
async function writeFolderPair(
  ids: string[],
  edit: (id: string, image: Volume, label: Volume) => { image: Volume; label: Volume } = (_, image, label) => ({ image, label }),
): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), "segsweep-pair-"));
  mkdirSync(join(root, "images"));
  mkdirSync(join(root, "labels"));
  writeFileSync(join(root, "labels.json"), JSON.stringify(phantomLabelTable()));
  for (const [index, id] of ids.entries()) {
    const phantom = phantomCase(index);
    const edited = edit(id, phantom.image, phantom.label);
    await writeNifti(join(root, "images", `${id}_0000.nii.gz`), edited.image);
    await writeNifti(join(root, "labels", `${id}.nii.gz`), edited.label);
  }
  return root;
}

test("ingest synthetic writes labelled phantom cases", async () => {
  const { dir, casesJson, logLines } = await runIngest("synthetic-chest");

  assert.equal(casesJson.synthetic, true);
  assert.equal(casesJson.source, "synthetic-chest");
  assert.deepEqual(casesJson.labels, phantomLabelTable());
  assert.deepEqual(
    casesJson.cases.map((entry: { id: string }) => entry.id),
    ["synth-000", "synth-001"],
  );
  assert.ok(logLines.some((line) => line.startsWith("info: SYNTHETIC data")), logLines.join("\n"));

  const image = await readNifti(join(dir, casesJson.cases[1].image));
  const label = await readNifti(join(dir, casesJson.cases[1].label));
  const expected = generateChestCase({ seed: 5, index: 1, shape: SMALL_GRID.shape, spacingMm: SMALL_GRID.spacing_mm });
  assert.ok(image.data instanceof Int16Array);
  assert.ok(label.data instanceof Uint8Array);
  assert.deepEqual(image.data, expected.image.data);
  assert.deepEqual(label.data, expected.label.data);
  // NIfTI stores the affine as float32, so compare within its rounding.
  image.affine.forEach((value, n) => assert.ok(Math.abs(value - expected.image.affine[n]) < 1e-4, `affine[${n}] ${value}`));
  assert.equal(casesJson.cases[1].phantom.tumors.length, expected.tumors.length);
});

test("ingest synthetic case ignores case count", async () => {
  const two = await runIngest("synthetic-chest", { cases: 2 });
  const three = await runIngest("synthetic-chest", { cases: 3 });
  const first = await readFile(join(two.dir, "synth-001", "image.nii.gz"));
  const second = await readFile(join(three.dir, "synth-001", "image.nii.gz"));
  assert.equal(three.casesJson.cases.length, 3);
  assert.ok(first.equals(second));
});

test("ingest reads an MSD folder", async () => {
  const root = await writeMsdDataset(["case-b", "case-a"]);
  const { dir, casesJson, logLines } = await runIngest(root);

  assert.equal(casesJson.synthetic, false);
  assert.equal(casesJson.source, root);
  assert.deepEqual(casesJson.labels, phantomLabelTable());
  assert.deepEqual(casesJson.cases, [
    { id: "case-a", image: "case-a/image.nii.gz", label: "case-a/label.nii.gz" },
    { id: "case-b", image: "case-b/image.nii.gz", label: "case-b/label.nii.gz" },
  ]);
  assert.ok(logLines.some((line) => line.includes("msd layout, 2 cases")), logLines.join("\n"));

  const label = await readNifti(join(dir, "case-b", "label.nii.gz"));
  assert.deepEqual(label.data, phantomCase(0).label.data);
});

test("ingest reads a folder pair", async () => {
  const root = await writeFolderPair(["p1", "p2"]);
  const { dir, casesJson } = await runIngest(root);
  assert.deepEqual(
    casesJson.cases.map((entry: { id: string }) => entry.id),
    ["p1", "p2"],
  );
  const image = await readNifti(join(dir, "p2", "image.nii.gz"));
  assert.deepEqual(image.data, phantomCase(1).image.data);
});

test("ingest converts float images to int16", async () => {
  const root = await writeFolderPair(["f1"], (_, image, label) => ({
    image: { ...image, data: Float32Array.from(image.data, (value) => value + 0.4) },
    label,
  }));
  const { dir } = await runIngest(root);
  const image = await readNifti(join(dir, "f1", "image.nii.gz"));
  assert.ok(image.data instanceof Int16Array);
  assert.deepEqual(image.data, phantomCase(0).image.data);
});

test("ingest resolves relative source against cwd", async (t) => {
  const root = await writeFolderPair(["r1"]);
  const previous = process.cwd();
  process.chdir(join(root, ".."));
  t.after(() => process.chdir(previous));

  const { casesJson } = await runIngest(relative(process.cwd(), root));
  assert.equal(casesJson.cases.length, 1);
});

test("ingest rejects a missing source folder", async () => {
  const missing = join(tmpdir(), "segsweep-no-such-dataset");
  await assert.rejects(runIngest(missing), (error: Error) => {
    assert.match(error.message, /source '.*segsweep-no-such-dataset' not found/);
    assert.match(error.message, /current working directory/);
    return true;
  });
});

test("ingest reports every invalid case at once", async () => {
  const root = await writeFolderPair(["good", "grid", "shifted", "undeclared", "unreadable", "orphan"], (id, image, label) => {
    if (id === "grid") {
      const [nx, ny, nz] = label.shape;
      return { image, label: { ...label, shape: [nx, ny, nz - 1], data: label.data.slice(0, nx * ny * (nz - 1)) } };
    }
    if (id === "shifted") {
      const affine = [...label.affine];
      affine[3] += 1.5;
      return { image, label: { ...label, affine } };
    }
    if (id === "undeclared") {
      const data = Uint8Array.from(label.data);
      data[0] = 42;
      data[1] = 42;
      return { image, label: { ...label, data } };
    }
    return { image, label };
  });
  writeFileSync(join(root, "labels", "unreadable.nii.gz"), "not a NIfTI file");
  rmSync(join(root, "labels", "orphan.nii.gz"));

  await assert.rejects(runIngest(root), (error: Error) => {
    const message = error.message;
    assert.match(message, /5 problem\(s\) in the data set/);
    assert.match(message, /labels\/grid\.nii\.gz: shape 48 x 48 x 16 of the image differs from shape 48 x 48 x 15/);
    assert.match(message, /labels\/shifted\.nii\.gz: affine differs from the image's: grid corners are up to 1\.500 mm apart \(tolerance 0\.1 mm\)/);
    assert.match(message, /labels\/undeclared\.nii\.gz: label values 42 \(2 voxels\) are not declared/);
    assert.match(message, /labels\/unreadable\.nii\.gz: unreadable: .*; replace it with a valid 3-D NIfTI file/);
    assert.match(message, /images\/orphan_0000\.nii\.gz: label file not found: expected labels\/orphan\.nii\.gz/);
    assert.doesNotMatch(message, /good/);
    return true;
  });
});

test("ingest affine tolerance is a param", async () => {
  const root = await writeFolderPair(["shifted"], (_, image, label) => {
    const affine = [...label.affine];
    affine[3] += 0.05;
    return { image, label: { ...label, affine } };
  });
  const { casesJson } = await runIngest(root);
  assert.equal(casesJson.cases.length, 1);
  await assert.rejects(runIngest(root, { affine_tolerance_mm: 0.01 }), /grid corners are up to 0\.050 mm apart/);
});

test("ingest reports MSD files not found", async () => {
  const root = await writeMsdDataset(["m1", "m2"]);
  rmSync(join(root, "labelsTr", "m2.nii.gz"));
  await assert.rejects(runIngest(root), (error: Error) => {
    assert.match(error.message, /labelsTr\/m2\.nii\.gz: file not found, but listed in dataset\.json/);
    return true;
  });
});

test("ingest rejects invalid label declarations", async () => {
  const root = await writeFolderPair(["x1"]);
  writeFileSync(join(root, "labels.json"), JSON.stringify({ "0": "air", "1": "tumor" }));
  await assert.rejects(runIngest(root), /label 0 must be 'background', found "air"/);

  rmSync(join(root, "labels.json"));
  await assert.rejects(runIngest(root), /the folder pair layout needs its labels/);
  const { casesJson } = await runIngest(root, { labels: phantomLabelTable() });
  assert.equal(casesJson.cases.length, 1);
});

test("ingest runtime facts track file changes", async () => {
  assert.deepEqual(await ingest.runtimeFacts!(params("synthetic-chest")), {});

  const root = await writeMsdDataset(["t1"]);
  const first = await ingest.runtimeFacts!(params(root));
  const again = await ingest.runtimeFacts!(params(root));
  assert.equal(first.source_path, root);
  assert.match(first.source_files, /^sha256:[0-9a-f]{64}$/);
  assert.deepEqual(again, first);

  const later = new Date(Date.now() + 60_000);
  utimesSync(join(root, "labelsTr", "t1.nii.gz"), later, later);
  const touched = await ingest.runtimeFacts!(params(root));
  assert.notEqual(touched.source_files, first.source_files);

  writeFileSync(join(root, "dataset.json"), (await readFile(join(root, "dataset.json"), "utf8")) + " ");
  const edited = await ingest.runtimeFacts!(params(root));
  assert.notEqual(edited.source_files, touched.source_files);
});

test("ingest reads real NSCLC cases", async (t) => {
  if (!existsSync(join(NSCLC_DIR, "dataset.json"))) {
    t.skip(`NSCLC-Radiomics data not found at ${NSCLC_DIR}: set SEGSWEEP_NSCLC_DIR`);
    return;
  }
  const root = mkdtempSync(join(tmpdir(), "segsweep-nsclc-"));
  mkdirSync(join(root, "imagesTr"));
  mkdirSync(join(root, "labelsTr"));
  const source = JSON.parse(await readFile(join(NSCLC_DIR, "dataset.json"), "utf8"));
  for (const folder of ["imagesTr", "labelsTr"]) {
    symlinkSync(join(NSCLC_DIR, folder, "LUNG1-004.nii.gz"), join(root, folder, "LUNG1-004.nii.gz"));
  }
  const training = [{ image: "./imagesTr/LUNG1-004.nii.gz", label: "./labelsTr/LUNG1-004.nii.gz" }];
  writeFileSync(join(root, "dataset.json"), JSON.stringify({ ...source, training }));

  const { dir, casesJson } = await runIngest(root);
  assert.deepEqual(casesJson.labels, source.labels);
  assert.equal(casesJson.cases[0].id, "LUNG1-004");
  const image = await readNifti(join(dir, "LUNG1-004", "image.nii.gz"));
  const original = await readNifti(join(NSCLC_DIR, "imagesTr", "LUNG1-004.nii.gz"));
  assert.deepEqual(image.shape, original.shape);
  assert.deepEqual(image.affine, original.affine);
  assert.ok(image.data instanceof Int16Array);
});

test("ingest accepts nnU-Net v2 label form", async () => {
  const root = await writeMsdDataset(["n1"]);
  const dataset = JSON.parse(await readFile(join(root, "dataset.json"), "utf8"));
  const nameToId = Object.fromEntries(Object.entries(dataset.labels).map(([id, name]) => [name, Number(id)]));
  writeFileSync(join(root, "dataset.json"), JSON.stringify({ ...dataset, labels: nameToId }));

  const { casesJson } = await runIngest(root);
  assert.deepEqual(casesJson.labels, phantomLabelTable());
});
