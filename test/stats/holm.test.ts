import { test } from "node:test";
import assert from "node:assert/strict";
import { holmAdjust } from "../../stages/stats/holm.ts";

const close = (actual: number, expected: number, tolerance = 1e-12) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} differs from ${expected}`);

test("holmAdjust matches hand-computed values", () => {
  // Sorted: 0.005 * 4 = 0.02, 0.01 * 3 = 0.03, 0.03 * 2 = 0.06, 0.04 * 1 = 0.04 raised to 0.06
  // by the running maximum; results go back to input order.
  const adjusted = holmAdjust([0.01, 0.04, 0.03, 0.005]);

  close(adjusted[0], 0.03);
  close(adjusted[1], 0.06);
  close(adjusted[2], 0.06);
  close(adjusted[3], 0.02);
});

test("holmAdjust caps at 1", () => {
  assert.deepEqual(holmAdjust([0.6, 0.7]), [1, 1]);
});

test("holmAdjust leaves NaN out of family", () => {
  const adjusted = holmAdjust([0.01, NaN, 0.02]);

  close(adjusted[0], 0.02);
  assert.ok(Number.isNaN(adjusted[1]));
  close(adjusted[2], 0.02);
});

test("holmAdjust single p-value unchanged", () => {
  assert.deepEqual(holmAdjust([0.03]), [0.03]);
});
