import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { tumorMaskOnGrid } from "../../stages/evaluate/original-grid.ts";
import { computeCaseMetrics } from "../../stages/metrics/case-metrics.ts";
import { readNifti } from "../../stages/volume/nifti.ts";
import { resampleToSpacing } from "../../stages/volume/resample.ts";
import type { Volume } from "../../stages/volume/volume.ts";
import { ORIGINAL_GRID, RESAMPLED_GRID, sampleGrid, tumourIndicator } from "./synthetic-cases.ts";

const NSCLC_DIR = process.env.SEGSWEEP_NSCLC_DIR ?? resolve("../shared/data/nsclc-radiomics-8");

/** Returns the tumour (label `value`) as a 0/1 mask. */
function maskOf(data: ArrayLike<number>, value: number): Uint8Array {
  const mask = new Uint8Array(data.length);
  for (let i = 0; i < mask.length; i++) mask[i] = data[i] === value ? 1 : 0;
  return mask;
}

test("tumour mask maps to a flipped finer grid", () => {
  const sphere = tumourIndicator({ id: "sphere", tumour: { centre: [3, -2, 5], radius: 7 }, visible: true });
  const labels: Volume<Uint8Array> = {
    data: sampleGrid(RESAMPLED_GRID, new Uint8Array(21 * 19 * 12), (w) => 3 * sphere(w)),
    shape: RESAMPLED_GRID.shape,
    spacing: [1.5, 1.5, 2.5],
    affine: RESAMPLED_GRID.affine,
  };
  const reference = sampleGrid(ORIGINAL_GRID, new Uint8Array(40 * 36 * 12), sphere);

  const mask = tumorMaskOnGrid(labels, 3, ORIGINAL_GRID.shape, ORIGINAL_GRID.affine);

  assert.equal(mask.length, reference.length);
  const spacing: [number, number, number] = [0.8, 0.8, 2.5];
  const metrics = computeCaseMetrics(
    { data: reference, shape: ORIGINAL_GRID.shape, spacing },
    { data: mask, shape: ORIGINAL_GRID.shape, spacing },
    2,
  );
  assert.ok(metrics.dice > 0.9, `Dice ${metrics.dice}`);
  assert.ok(metrics.hd95_mm! <= 1.6, `HD95 ${metrics.hd95_mm} mm`);
});

test("tumour mask of other classes is empty", () => {
  const labels: Volume<Uint8Array> = {
    data: new Uint8Array(21 * 19 * 12).fill(1),
    shape: RESAMPLED_GRID.shape,
    spacing: [1.5, 1.5, 2.5],
    affine: RESAMPLED_GRID.affine,
  };

  const mask = tumorMaskOnGrid(labels, 2, ORIGINAL_GRID.shape, ORIGINAL_GRID.affine);

  assert.ok(mask.every((v) => v === 0));
});

test("NSCLC tumour survives resampling round trip", async (t) => {
  const labelPath = join(NSCLC_DIR, "labelsTr", "LUNG1-001.nii.gz");
  if (!existsSync(labelPath)) {
    t.skip(`NSCLC-Radiomics data not found at ${NSCLC_DIR}: set SEGSWEEP_NSCLC_DIR`);
    return;
  }
  const original = await readNifti(labelPath);
  const resampled = resampleToSpacing(original, [1.5, 1.5, 3], "nearest");
  const labels = { ...resampled, data: maskOf(resampled.data, 1) };

  const mask = tumorMaskOnGrid(labels, 1, original.shape, original.affine);

  const metrics = computeCaseMetrics(
    { data: maskOf(original.data, 1), shape: original.shape, spacing: original.spacing },
    { data: mask, shape: original.shape, spacing: original.spacing },
    2,
  );
  assert.equal(metrics.empty, "none");
  assert.ok(metrics.dice > 0.95, `Dice ${metrics.dice}`);
  assert.ok(metrics.hd95_mm! <= 2, `HD95 ${metrics.hd95_mm} mm`);
  assert.ok(metrics.volume_error_ml / metrics.reference_ml < 0.03, `volume error ${metrics.volume_error_ml} mL`);
});
