import { test } from "node:test";
import assert from "node:assert/strict";
import { kFoldSplit } from "../../stages/train/split.ts";

const IDS = Array.from({ length: 11 }, (_, i) => `LUNG1-${String(i + 1).padStart(3, "0")}`);

test("every case validated exactly once", () => {
  const seen = new Map<string, number>();
  for (let fold = 0; fold < 5; fold++) {
    const split = kFoldSplit(IDS, 5, fold, 42);
    assert.equal(split.train.length + split.validation.length, IDS.length);
    assert.ok(split.validation.length === 2 || split.validation.length === 3, `fold ${fold}: ${split.validation.length}`);
    assert.ok(split.validation.every((id) => !split.train.includes(id)));
    for (const id of split.validation) seen.set(id, (seen.get(id) ?? 0) + 1);
  }
  assert.deepEqual([...seen.keys()].sort(), IDS);
  assert.ok([...seen.values()].every((count) => count === 1));
});

test("split ignores input order", () => {
  const shuffled = [...IDS].reverse();
  assert.deepEqual(kFoldSplit(shuffled, 3, 1, 7), kFoldSplit(IDS, 3, 1, 7));
});

test("split seed changes assignment", () => {
  const a = kFoldSplit(IDS, 3, 0, 1).validation;
  const b = kFoldSplit(IDS, 3, 0, 2).validation;
  assert.notDeepEqual(a, b);
});

test("split rejects invalid folds", () => {
  assert.throws(() => kFoldSplit(IDS, 1, 0, 0), /folds must be an integer from 2 to the case count 11, got 1/);
  assert.throws(() => kFoldSplit(IDS.slice(0, 3), 4, 0, 0), /case count 3, got 4/);
  assert.throws(() => kFoldSplit(IDS, 5, 5, 0), /fold must be an integer from 0 to 4, got 5/);
  assert.throws(() => kFoldSplit(["a", "a", "b"], 2, 0, 0), /must be unique/);
});
