/**
 * Reference values from SciPy 1.17.1: the rank-biserial r computed as
 * (R+ - R-) / (R+ + R-) with `scipy.stats.rankdata(abs(d))` after dropping zeros, and the
 * power formula with `scipy.stats.t.ppf`. The differences are made up.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { rankBiserial } from "../../stages/stats/rank-biserial.ts";
import { minimumDetectableDifference } from "../../stages/stats/power.ts";
import { averageRanks } from "../../stages/stats/ranks.ts";
import { standardDeviation } from "../../stages/stats/summary.ts";

const close = (actual: number, expected: number, tolerance = 1e-9) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} differs from ${expected}`);

const eight = [0.12, 0.08, 0.15, -0.02, 0.1, 0.09, 0.11, 0.05];
const tied = [0.1, 0.1, -0.05, 0.2, 0, 0.05, 0.3, -0.1, 0.15, 0.1];

test("averageRanks shares ranks of ties", () => {
  assert.deepEqual(averageRanks([3, 1, 3, 2, 3]), [4, 1, 4, 2, 4]);
});

test("rankBiserial matches reference", () => {
  close(rankBiserial(eight), 0.9444444444444444);
  close(rankBiserial(tied), 0.7333333333333333);
});

test("rankBiserial sign follows direction", () => {
  assert.equal(rankBiserial([0.1, 0.2, 0.3]), 1);
  assert.equal(rankBiserial([-0.1, -0.2, -0.3]), -1);
  assert.ok(Number.isNaN(rankBiserial([0, 0])));
});

test("minimumDetectableDifference matches t formula", () => {
  close(standardDeviation(eight), 0.05154748157905348, 1e-12);
  close(minimumDetectableDifference(standardDeviation(eight), 8), 0.05942472237109322);
  close(minimumDetectableDifference(standardDeviation(tied), 10), 0.11734530747648918);
});

test("minimumDetectableDifference shrinks with more cases", () => {
  assert.ok(minimumDetectableDifference(0.05, 40) < minimumDetectableDifference(0.05, 10));
  assert.ok(Number.isNaN(minimumDetectableDifference(0.05, 1)));
});
