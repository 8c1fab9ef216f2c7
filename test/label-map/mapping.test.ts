import assert from "node:assert/strict";
import { test } from "node:test";
import { applyMapping, findUnannotated } from "../../stages/label-map/apply-mapping.ts";
import { resolveMapping } from "../../stages/label-map/mapping.ts";
import { presetRequest, type MappingRequest } from "../../stages/label-map/presets.ts";
import { phantomLabelTable } from "../../stages/phantom/labels.ts";
import type { Volume } from "../../stages/volume/volume.ts";

/** The label declaration of the NSCLC-Radiomics MSD export. */
const NSCLC_LABELS = {
  "0": "background",
  "1": "tumor",
  "2": "lung_left",
  "3": "lung_right",
  "4": "heart",
  "5": "esophagus",
  "6": "spinal_cord",
};
const PHANTOM_LABELS = phantomLabelTable();

function resolvePreset(preset: "binary" | "organs" | "fine" | "region", labels: Record<string, string>) {
  return resolveMapping(presetRequest(preset, Object.values(labels)), labels);
}

function custom(classes: Record<string, string[]>, drop: string[] = []): MappingRequest {
  return { preset: "custom", classes: Object.entries(classes).map(([name, sources]) => ({ name, sources })), drop };
}

function labelVolume(values: number[]): Volume {
  return { data: Uint8Array.from(values), shape: [values.length, 1, 1], spacing: [1, 1, 1], affine: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1] };
}

test("binary preset maps tumor only", () => {
  const mapping = resolvePreset("binary", NSCLC_LABELS);
  assert.deepEqual(mapping.classes, ["background", "tumor"]);
  assert.equal(mapping.tumorClass, 1);
  assert.deepEqual([...mapping.lookup.slice(0, 8)], [0, 1, 0, 0, 0, 0, 0, -1]);
  assert.deepEqual(mapping.dropped, ["lung_left", "lung_right", "heart", "esophagus", "spinal_cord"]);
});

test("organs preset merges lungs", () => {
  const mapping = resolvePreset("organs", PHANTOM_LABELS);
  assert.deepEqual(mapping.classes, ["background", "tumor", "lung", "heart", "esophagus", "spinal_cord"]);
  assert.deepEqual(mapping.mapping.lung, ["lung_left", "lung_right"]);
  assert.deepEqual([...mapping.lookup.slice(0, 11)], [0, 1, 2, 2, 3, 4, 5, 0, 0, 0, -1]);
  assert.deepEqual(mapping.dropped, ["trachea", "vessels", "body"]);
});

test("fine preset keeps every label", () => {
  const mapping = resolvePreset("fine", PHANTOM_LABELS);
  assert.deepEqual(mapping.classes, Object.values(PHANTOM_LABELS));
  assert.deepEqual([...mapping.lookup.slice(0, 10)], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(mapping.dropped, []);
});

test("region preset nests tumor in lung", () => {
  const mapping = resolvePreset("region", NSCLC_LABELS);
  assert.deepEqual(mapping.classes, ["background", "lung", "tumor"]);
  assert.equal(mapping.tumorClass, 2);
  assert.deepEqual(mapping.regions, { lung: [1, 2], tumor: [2] });
  assert.deepEqual([...mapping.lookup.slice(0, 7)], [0, 2, 1, 1, 0, 0, 0]);
});

test("organs preset rejects missing source labels", () => {
  const labels = { "0": "background", "1": "tumor", "2": "lung_left", "3": "lung_right" };
  assert.throws(() => resolvePreset("organs", labels), (error: Error) => {
    assert.match(error.message, /invalid label mapping 'organs'/);
    assert.match(error.message, /class 'heart': source label 'heart' is not declared; declared: background, tumor, lung_left, lung_right/);
    assert.match(error.message, /class 'esophagus': source label 'esophagus' is not declared/);
    return true;
  });
});

test("custom mapping resolves in given order", () => {
  const mapping = resolveMapping(
    custom({ lung: ["lung_left", "lung_right"], tumor: ["tumor"], background: ["spinal_cord"] }, ["heart", "esophagus"]),
    NSCLC_LABELS,
  );
  assert.deepEqual(mapping.classes, ["background", "lung", "tumor"]);
  assert.equal(mapping.tumorClass, 2);
  assert.deepEqual(mapping.mapping.background, ["background", "spinal_cord", "heart", "esophagus"]);
  assert.deepEqual([...mapping.lookup.slice(0, 7)], [0, 2, 1, 1, 0, 0, 0]);
});

test("custom mapping names unmapped labels", () => {
  assert.throws(
    () => resolveMapping(custom({ tumor: ["tumor"], lung: ["lung_left"] }, ["heart"]), NSCLC_LABELS),
    /source labels 'lung_right', 'esophagus', 'spinal_cord' are neither mapped nor dropped; add each to a class of 'mapping' or to 'drop'/,
  );
});

test("custom mapping rejects conflicts", () => {
  const cases: [MappingRequest, RegExp][] = [
    [custom({ tumor: ["tumor"], lungs: ["lung_left", "lung_right", "lungs"] }, ["heart", "esophagus", "spinal_cord"]), /class 'lungs': source label 'lungs' is not declared/],
    [custom({ tumor: ["tumor"], lung: ["lung_left", "lung_right", "heart"] }, ["heart", "esophagus", "spinal_cord"]), /source label 'heart' is both mapped to 'lung' and dropped/],
    [custom({ tumor: ["tumor"], a: ["lung_left", "lung_right"], b: ["lung_left"] }, ["heart", "esophagus", "spinal_cord"]), /source label 'lung_left' is mapped to both 'a' and 'b'/],
    [custom({ lesion: ["tumor", "lung_left", "lung_right"] }, ["heart", "esophagus", "spinal_cord"]), /class 'lesion' merges 'tumor' with lung_left, lung_right; give the tumor a class of its own/],
    [custom({ lung: ["lung_left", "lung_right"] }, ["tumor", "heart", "esophagus", "spinal_cord"]), /source label 'tumor' must be mapped to a class/],
    [custom({ tumor: ["tumor"] }, ["ghost", "lung_left", "lung_right", "heart", "esophagus", "spinal_cord"]), /drop: source label 'ghost' is not declared/],
  ];
  for (const [request, expected] of cases) {
    assert.throws(() => resolveMapping(request, NSCLC_LABELS), expected);
  }
});

test("always_present rejects tumor and unknown names", () => {
  const request = presetRequest("organs", Object.values(NSCLC_LABELS));
  assert.throws(() => resolveMapping(request, NSCLC_LABELS, ["heart", "tumor"]), /always_present: 'tumor' cannot be listed, because a case without it is a real negative/);
  assert.throws(() => resolveMapping(request, NSCLC_LABELS, ["liver"]), /always_present: 'liver' is neither a class/);
  assert.deepEqual(resolveMapping(request, NSCLC_LABELS).alwaysPresent, ["lung", "lung_left", "lung_right", "heart", "esophagus", "spinal_cord"]);
});

test("applyMapping maps and counts voxels", () => {
  const mapping = resolvePreset("organs", NSCLC_LABELS);
  const mapped = applyMapping(labelVolume([0, 1, 2, 3, 3, 4, 6, 6, 6]), mapping, "case.nii.gz");
  assert.deepEqual([...mapped.label.data], [0, 1, 2, 2, 2, 3, 5, 5, 5]);
  assert.deepEqual(mapped.voxelCounts, { background: 1, tumor: 1, lung: 3, heart: 1, esophagus: 0, spinal_cord: 3 });
  assert.equal(mapped.sourceVoxelCounts.esophagus, 0);
  assert.equal(mapped.sourceVoxelCounts.lung_right, 2);
  assert.deepEqual(mapped.label.affine, labelVolume([0]).affine);
});

test("applyMapping rejects undeclared values", () => {
  const mapping = resolvePreset("binary", NSCLC_LABELS);
  assert.throws(
    () => applyMapping(labelVolume([0, 1, 9, 9, 200]), mapping, "/data/case-7/label.nii.gz"),
    /\/data\/case-7\/label\.nii\.gz: label values 9 \(2 voxels\), 200 \(1 voxels\) are not declared/,
  );
});

test("findUnannotated flags missing organs", () => {
  const organs = resolvePreset("organs", NSCLC_LABELS);
  const noHeart = applyMapping(labelVolume([0, 2, 3, 5, 6]), organs, "a");
  assert.deepEqual(findUnannotated(organs, noHeart), ["heart"]);

  const noTumor = applyMapping(labelVolume([0, 2, 3, 4, 5, 6]), organs, "b");
  assert.deepEqual(findUnannotated(organs, noTumor), []);

  const oneLung = applyMapping(labelVolume([0, 1, 2, 4, 5, 6]), organs, "c");
  assert.deepEqual(findUnannotated(organs, oneLung), ["lung"]);

  const binary = resolvePreset("binary", NSCLC_LABELS);
  assert.deepEqual(findUnannotated(binary, applyMapping(labelVolume([0, 1]), binary, "d")), []);
});

test("findUnannotated honours explicit list", () => {
  const request = presetRequest("organs", Object.values(NSCLC_LABELS));
  const onlyHeart = resolveMapping(request, NSCLC_LABELS, ["heart"]);
  const counts = applyMapping(labelVolume([0, 1, 2, 3]), onlyHeart, "e");
  assert.deepEqual(findUnannotated(onlyHeart, counts), ["heart"]);
});
