import { test } from "node:test";
import assert from "node:assert/strict";
import { expandMatrix, pairCells, taskIdOf } from "../../engine/pipeline/matrix.ts";
import { interpolateString, ExpressionError } from "../../engine/pipeline/expressions.ts";
import { matchesGlob } from "../../engine/execute/globs.ts";

test("matrix is a cartesian product in axis order", () => {
  const cells = expandMatrix({ axes: { granularity: ["binary", "organs"], seed: [1, 2] }, include: [], exclude: [] });
  assert.deepEqual(cells.map((c) => taskIdOf("train", c)), [
    "train[granularity=binary,seed=1]",
    "train[granularity=binary,seed=2]",
    "train[granularity=organs,seed=1]",
    "train[granularity=organs,seed=2]",
  ]);
});

test("exclude drops partial matches", () => {
  const cells = expandMatrix({ axes: { g: ["a", "b"], seed: [1, 2] }, include: [], exclude: [{ g: "b", seed: 2 }] });
  assert.equal(cells.length, 3);
  assert.ok(!cells.some((c) => c.g === "b" && c.seed === 2));
});

test("include merges or adds cells", () => {
  const cells = expandMatrix({
    axes: { loss: ["ce", "focal"] },
    include: [{ loss: "focal", gamma: 2 }, { loss: "tversky", alpha: 0.3 }],
    exclude: [],
  });
  assert.deepEqual(cells, [{ loss: "ce" }, { loss: "focal", gamma: 2 }, { loss: "tversky", alpha: 0.3 }]);
});

test("task ids quote unusual values", () => {
  assert.equal(taskIdOf("s", {}), "s");
  assert.equal(taskIdOf("s", { spacing: [1.5, 3] }), "s[spacing=[1.5,3]]");
  assert.equal(taskIdOf("s", { name: "a b" }), 's[name="a b"]');
});

test("pairing by shared axes", () => {
  const upstream = [{ granularity: "binary" }, { granularity: "organs" }];
  assert.deepEqual(pairCells({ granularity: "organs", seed: 1 }, upstream), [1]);
  assert.deepEqual(pairCells({}, upstream), [0, 1], "a non-matrix task fans in every cell");
  assert.deepEqual(pairCells({ loss: "ce" }, upstream), [0, 1], "no shared axis fans in every cell");
});

test("expressions keep types and reject unknown names", () => {
  const scope = { params: { epochs: 3, spacing: [1.5, 1.5, 3], nested: { lr: 0.001 } }, matrix: { loss: "ce" } };
  assert.equal(interpolateString("${{ params.epochs }}", scope), 3);
  assert.deepEqual(interpolateString("${{params.spacing}}", scope), [1.5, 1.5, 3]);
  assert.equal(interpolateString("lr=${{ params.nested.lr }}/${{ matrix.loss }}", scope), "lr=0.001/ce");
  assert.throws(() => interpolateString("${{ params.epoch }}", scope), ExpressionError);
  assert.throws(() => interpolateString("x${{ params.spacing }}", scope), /cannot be part of a longer string/);
  assert.throws(() => interpolateString("${{ env.HOME }}", scope), /unknown name 'env'/);
});

test("globs treat brackets literally", () => {
  assert.ok(matchesGlob("train[granularity=organs,*]", "train[granularity=organs,seed=1]"));
  assert.ok(!matchesGlob("train[granularity=organs,*]", "train[granularity=binary,seed=1]"));
  assert.ok(matchesGlob("train", "train[seed=1]"), "a stage id selects all its cells");
  assert.ok(matchesGlob("*", "anything"));
  assert.ok(!matchesGlob("train", "trainer"));
});
