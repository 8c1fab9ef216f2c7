import assert from "node:assert/strict";
import { test } from "node:test";
import { computeCaseMetrics, METRICS_POLICY } from "../../stages/metrics/case-metrics.ts";
import { boxMask, emptyMask, voxelsMask } from "./synthetic-masks.ts";

type Shape = [number, number, number];
const shape: Shape = [20, 20, 20];
const spacing: Shape = [1, 1, 2];

test("case metrics of a shifted cube", () => {
  const reference = boxMask(shape, spacing, [2, 2, 2], [11, 11, 11]);
  const prediction = boxMask(shape, spacing, [2, 2, 3], [11, 11, 13]);

  const metrics = computeCaseMetrics(reference, prediction, 2);

  assert.ok(Math.abs(metrics.dice - (2 * 900) / (1000 + 1100)) < 1e-12);
  assert.equal(metrics.hd95_mm, 4);
  assert.ok(metrics.nsd > 0);
  assert.ok(metrics.nsd < 1);
  assert.equal(metrics.nsd_tolerance_mm, 2);
  assert.equal(metrics.reference_ml, 2);
  assert.ok(Math.abs(metrics.predicted_ml - 2.2) < 1e-12);
  assert.ok(Math.abs(metrics.volume_error_ml - 0.2) < 1e-12);
  assert.deepEqual([metrics.lesion_precision, metrics.lesion_recall, metrics.lesion_f1], [1, 1, 1]);
  assert.equal(metrics.empty, "none");
});

test("case metrics with both masks empty", () => {
  const metrics = computeCaseMetrics(emptyMask(shape, spacing), emptyMask(shape, spacing), 2);

  assert.equal(metrics.empty, "both");
  assert.equal(metrics.dice, 1);
  assert.equal(metrics.hd95_mm, 0);
  assert.equal(metrics.nsd, 1);
  assert.deepEqual([metrics.lesion_precision, metrics.lesion_recall, metrics.lesion_f1], [1, 1, 1]);
  assert.equal(metrics.volume_error_ml, 0);
});

test("case metrics with empty reference", () => {
  const prediction = voxelsMask(shape, spacing, [[3, 3, 3], [3, 3, 4]]);

  const metrics = computeCaseMetrics(emptyMask(shape, spacing), prediction, 2);

  assert.equal(metrics.empty, "reference");
  assert.equal(metrics.dice, 0);
  assert.equal(metrics.hd95_mm, null);
  assert.equal(metrics.nsd, 0);
  assert.deepEqual([metrics.lesion_precision, metrics.lesion_recall, metrics.lesion_f1], [0, null, 0]);
  assert.equal(metrics.volume_error_ml, 0.004);
  assert.equal(metrics.reference_ml, 0);
});

test("case metrics with empty prediction", () => {
  const reference = voxelsMask(shape, spacing, [[3, 3, 3]]);

  const metrics = computeCaseMetrics(reference, emptyMask(shape, spacing), 2);

  assert.equal(metrics.empty, "prediction");
  assert.equal(metrics.dice, 0);
  assert.equal(metrics.hd95_mm, null);
  assert.equal(metrics.nsd, 0);
  assert.deepEqual([metrics.lesion_precision, metrics.lesion_recall, metrics.lesion_f1], [null, 0, 0]);
  assert.equal(metrics.predicted_ml, 0);
});

test("metrics policy names the empty-mask rules", () => {
  assert.match(METRICS_POLICY, /Both masks empty: Dice 1, NSD 1, HD95 0/);
  assert.match(METRICS_POLICY, /HD95 null/);
  assert.match(METRICS_POLICY, /26-connected/);
});
