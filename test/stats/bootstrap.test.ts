import { test } from "node:test";
import assert from "node:assert/strict";
import { bootstrapMeanInterval } from "../../stages/stats/bootstrap.ts";
import { mean, standardDeviation } from "../../stages/stats/summary.ts";

const differences = [0.12, 0.08, 0.15, -0.02, 0.1, 0.09, 0.11, 0.05, 0.03, 0.14, 0.07, 0.06];
const options = { resamples: 10000, seed: 17, alpha: 0.05 };

test("bootstrap interval is deterministic with seed", () => {
  const first = bootstrapMeanInterval(differences, options);
  const second = bootstrapMeanInterval(differences, options);

  assert.equal(first.low, second.low);
  assert.equal(first.high, second.high);
});

test("bootstrap interval changes with seed", () => {
  const first = bootstrapMeanInterval(differences, options);
  const other = bootstrapMeanInterval(differences, { ...options, seed: 18 });

  assert.notEqual(first.low, other.low);
});

test("bootstrap interval brackets mean at normal width", () => {
  const interval = bootstrapMeanInterval(differences, options);
  const m = mean(differences);
  const normalHalfWidth = (1.96 * standardDeviation(differences)) / Math.sqrt(differences.length);

  assert.ok(interval.low < m, `low ${interval.low} above mean ${m}`);
  assert.ok(interval.high > m, `high ${interval.high} below mean ${m}`);
  // The percentile interval uses the plug-in SD (divisor n), so it is a little narrower.
  const halfWidth = (interval.high - interval.low) / 2;
  assert.ok(halfWidth > 0.8 * normalHalfWidth, `half width ${halfWidth} vs ${normalHalfWidth}`);
  assert.ok(halfWidth < 1.1 * normalHalfWidth, `half width ${halfWidth} vs ${normalHalfWidth}`);
  assert.equal(interval.level, 0.95);
  assert.equal(interval.method, "percentile bootstrap");
});

test("bootstrap of constant values is a point", () => {
  const interval = bootstrapMeanInterval([0.1, 0.1, 0.1], options);

  assert.ok(Math.abs(interval.low - 0.1) < 1e-12);
  assert.ok(Math.abs(interval.high - 0.1) < 1e-12);
});

test("bootstrap rejects seed 0", () => {
  assert.throws(() => bootstrapMeanInterval([0.1, 0.2], { ...options, seed: 0 }), /invalid bootstrap seed 0/);
});
