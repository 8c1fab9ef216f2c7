/**
 * Reference p-values from SciPy 1.17.1 (Debian python3-scipy):
 * `scipy.stats.wilcoxon(d, correction=True, method=M).pvalue`, with M = "exact" where the data
 * have no zeros or ties and n <= 50, otherwise M = "asymptotic". The differences are made up.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { wilcoxonSignedRank } from "../../stages/stats/wilcoxon.ts";

const close = (actual: number, expected: number, tolerance = 1e-9) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} differs from ${expected}`);

/** n = 60 draws of N(0.02, 0.1), rounded to 4 decimals, no ties (numpy default_rng(7)). */
const sixty = [
  0.0201, 0.0499, -0.0074, -0.0691, -0.0255, -0.0792, 0.026, 0.154, -0.0292, -0.042, 0.069, 0.0557,
  0.0305, -0.073, 0.0171, 0.0895, -0.1144, -0.0258, -0.1701, -0.109, -0.1642, -0.0035, -0.1067,
  0.0471, 0.0357, 0.0013, -0.2317, -0.0339, 0.0151, 0.0313, -0.133, -0.0278, -0.0779, -0.0609,
  0.1261, -0.0608, 0.0167, 0.1084, -0.0384, 0.0088, 0.031, 0.0264, -0.1025, 0.0276, 0.1559,
  -0.1347, 0.1059, 0.0319, -0.0441, 0.22, 0.0962, -0.0999, 0.0275, 0.0777, 0.0011, 0.0883, 0.0133,
  0.0867, 0.1639, -0.0476,
];

test("wilcoxon exact small n matches scipy", () => {
  const result = wilcoxonSignedRank([0.12, 0.08, 0.15, -0.02, 0.1, 0.09, 0.11, 0.05]);

  assert.equal(result.method, "exact");
  assert.equal(result.statistic, 35);
  close(result.pValue, 0.015625);
});

test("wilcoxon exact n=20 matches scipy", () => {
  const d = [
    0.031, -0.012, 0.044, 0.007, -0.025, 0.018, 0.052, -0.003, 0.027, 0.011, -0.036, 0.021, 0.009,
    0.015, -0.019, 0.038, 0.002, 0.024, -0.008, 0.013,
  ];
  const result = wilcoxonSignedRank(d);

  assert.equal(result.method, "exact");
  close(result.pValue, 0.06372261047363281);
});

test("wilcoxon zeros and ties use normal approximation", () => {
  const result = wilcoxonSignedRank([0.1, 0.1, -0.05, 0.2, 0, 0.05, 0.3, -0.1, 0.15, 0.1]);

  assert.equal(result.method, "normal approximation");
  assert.equal(result.nonZero, 9);
  close(result.pValue, 0.055610505066571315);
});

test("wilcoxon above 50 cases uses normal approximation", () => {
  const result = wilcoxonSignedRank(sixty);

  assert.equal(result.method, "normal approximation");
  close(result.pValue, 0.9559695509669096);
});

test("wilcoxon p-value at centre is capped at 1", () => {
  const result = wilcoxonSignedRank([0.01, 0.02, -0.03]);

  assert.equal(result.pValue, 1);
});

test("wilcoxon odd exact case matches scipy", () => {
  close(wilcoxonSignedRank([0.01, -0.02, 0.03]).pValue, 0.75);
});

test("wilcoxon all zero differences give p 1", () => {
  const result = wilcoxonSignedRank([0, 0, 0, 0]);

  assert.equal(result.pValue, 1);
  assert.equal(result.method, "all differences zero");
});

test("wilcoxon single case has no p-value", () => {
  const result = wilcoxonSignedRank([0.2]);

  assert.ok(Number.isNaN(result.pValue));
  assert.equal(result.method, "too few cases");
});
