import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import train from "../../stages/train/index.ts";
import { CHECKPOINT_DIR_ENV } from "../../stages/train/checkpoint.ts";
import type { TrainParams } from "../../stages/train/params.ts";
import { loadModel } from "../../stages/model/model-io.ts";
import { makeStageContext } from "../helpers/stage-context.ts";
import { writeSyntheticDataset, type SyntheticDataset } from "./synthetic-dataset.ts";

let dataset: SyntheticDataset;

before(async () => {
  dataset = await writeSyntheticDataset(4);
});

after(() => {
  delete process.env[CHECKPOINT_DIR_ENV];
});

function tinyParams(overrides: Partial<TrainParams> = {}): TrainParams {
  return {
    backend: "wasm",
    epochs: 2,
    steps_per_epoch: 3,
    batch_size: 2,
    patch_size: 32,
    folds: 2,
    fold: 0,
    seed: 1,
    unet: { depth: 2, base_filters: 4, batch_norm: true, dropout: 0 },
    ...overrides,
  } as TrainParams;
}

interface RunOutcome {
  modelDir: string;
  record: Record<string, any>;
  tensorsAfterEpoch: number[];
}

async function runTrain(params: TrainParams, labelsDir: string, options: { checkpointDir?: string; abortAfterEpoch?: number } = {}): Promise<RunOutcome> {
  process.env[CHECKPOINT_DIR_ENV] = options.checkpointDir ?? mkdtempSync(join(tmpdir(), "segsweep-ckpt-"));
  const controller = new AbortController();
  const ctx = makeStageContext(train, {
    params,
    inputs: { images: dataset.imagesDir, labels: labelsDir },
    signal: controller.signal,
  });
  // One WASM thread: the threaded build needs worker files and an explicit process exit.
  ctx.resources = { ...ctx.resources, cpu: 1 };
  const tensorsAfterEpoch: number[] = [];
  ctx.progress = (_fraction, message) => {
    const match = /^epoch (\d+)\/\d+ done$/.exec(message ?? "");
    if (!match) return;
    tensorsAfterEpoch.push(tf.memory().numTensors);
    if (Number(match[1]) === options.abortAfterEpoch) controller.abort(new Error("test abort"));
  };
  await train.run(ctx);
  const record = JSON.parse(readFileSync(join(ctx.outputs.model, "training.json"), "utf8"));
  return { modelDir: ctx.outputs.model, record, tensorsAfterEpoch };
}

test("tiny train run writes model and record", async () => {
  const { modelDir, record } = await runTrain(tinyParams(), dataset.organsDir);

  assert.ok(existsSync(join(modelDir, "model.json")));
  assert.ok(existsSync(join(modelDir, "weights.bin")));
  assert.equal(record.backend.name, "wasm");
  assert.equal(record.tfjs_version, tf.version.tfjs);
  assert.deepEqual(record.classes, ["background", "organ", "tumor"]);
  assert.equal(record.tumor_class, 2);
  assert.equal(record.selected_epoch, 2);
  assert.equal(record.curve.length, 2);
  for (const entry of record.curve) {
    assert.ok(entry.train_loss > 0, `train loss ${entry.train_loss}`);
    assert.ok(Number.isFinite(entry.train_loss), `train loss ${entry.train_loss}`);
    assert.ok(entry.val_tumor_dice >= 0, `validation Dice ${entry.val_tumor_dice}`);
    assert.ok(entry.val_tumor_dice <= 1, `validation Dice ${entry.val_tumor_dice}`);
  }
  assert.equal(record.split.train.length + record.split.validation.length, 4);

  const model = await loadModel(modelDir);
  const output = model.predict(tf.zeros([1, 32, 32, 1])) as tf.Tensor;
  assert.deepEqual(output.shape, [1, 32, 32, 3]);
  tf.dispose(output);
  model.dispose();
});

test("binary and organs arms share split", async () => {
  const binary = await runTrain(tinyParams({ epochs: 1, steps_per_epoch: 1 }), dataset.binaryDir);
  const organs = await runTrain(tinyParams({ epochs: 1, steps_per_epoch: 1 }), dataset.organsDir);
  assert.deepEqual(binary.record.split, organs.record.split);
  assert.deepEqual(binary.record.classes, ["background", "tumor"]);
});

test("killed training resumes from checkpoint", async () => {
  const params = tinyParams({ epochs: 3, steps_per_epoch: 2 });
  const uninterrupted = await runTrain(params, dataset.organsDir);

  const checkpointDir = mkdtempSync(join(tmpdir(), "segsweep-ckpt-resume-"));
  await assert.rejects(runTrain(params, dataset.organsDir, { checkpointDir, abortAfterEpoch: 1 }), /test abort/);
  const latest = JSON.parse(readFileSync(join(checkpointDir, "latest.json"), "utf8"));
  assert.equal(latest.checkpoint, "epoch-0001");

  const resumed = await runTrain(params, dataset.organsDir, { checkpointDir });
  assert.equal(resumed.record.resumed_from_epoch, 1);
  assert.equal(uninterrupted.record.resumed_from_epoch, 0);
  assert.deepEqual(resumed.tensorsAfterEpoch.length, 2);
  assert.deepEqual(resumed.record.curve, uninterrupted.record.curve);
  // Single-threaded WASM kernels are deterministic, so the weights match bit for bit.
  const weights = (dir: string) => readFileSync(join(dir, "weights.bin"));
  assert.ok(weights(resumed.modelDir).equals(weights(uninterrupted.modelDir)), "final weights differ");
});

test("checkpoint of other config ignored", async () => {
  const checkpointDir = mkdtempSync(join(tmpdir(), "segsweep-ckpt-other-"));
  const first = runTrain(tinyParams({ epochs: 2, steps_per_epoch: 1 }), dataset.organsDir, { checkpointDir, abortAfterEpoch: 1 });
  await assert.rejects(first, /test abort/);
  assert.ok(existsSync(join(checkpointDir, "latest.json")));

  const rerun = await runTrain(tinyParams({ epochs: 2, steps_per_epoch: 1, seed: 2 }), dataset.organsDir, { checkpointDir });
  assert.equal(rerun.record.resumed_from_epoch, 0);
});

test("finished run removes checkpoints", async () => {
  const checkpointDir = mkdtempSync(join(tmpdir(), "segsweep-ckpt-done-"));
  await runTrain(tinyParams({ epochs: 1, steps_per_epoch: 1 }), dataset.organsDir, { checkpointDir });
  assert.deepEqual(readdirSync(checkpointDir), []);
});

test("no tensor growth across epochs", async () => {
  const before = tf.memory().numTensors;
  const { tensorsAfterEpoch } = await runTrain(tinyParams({ epochs: 3, steps_per_epoch: 2, selection: "best_val_tumor_dice" }), dataset.organsDir);
  assert.equal(tensorsAfterEpoch.length, 3);
  assert.equal(tensorsAfterEpoch[2], tensorsAfterEpoch[0], `tensors after each epoch: ${tensorsAfterEpoch}`);
  assert.equal(tf.memory().numTensors, before);
});

test("best selection picks max Dice epoch", async () => {
  const { record } = await runTrain(tinyParams({ epochs: 3, steps_per_epoch: 2, selection: "best_val_tumor_dice" }), dataset.organsDir);
  const dices = record.curve.map((e: { val_tumor_dice: number }) => e.val_tumor_dice);
  const bestEpoch = dices.indexOf(Math.max(...dices)) + 1;
  assert.equal(record.selected_epoch, bestEpoch);
});

test("validate_every skips validation epochs", async () => {
  const { record } = await runTrain(tinyParams({ epochs: 3, steps_per_epoch: 1, validate_every: 2, selection: "best_val_tumor_dice" }), dataset.organsDir);
  const validated = record.curve.map((e: { val_tumor_dice: number | null }) => e.val_tumor_dice !== null);
  assert.deepEqual(validated, [false, true, true], "epoch 2 by the interval, epoch 3 as the last");
  assert.notEqual(record.selected_epoch, 1, "an epoch without validation is never selected");
});

test("tiny net learns synthetic tumor", async () => {
  const params = tinyParams({
    epochs: 3,
    steps_per_epoch: 10,
    batch_size: 4,
    learning_rate: 0.01,
    selection: "best_val_tumor_dice",
    unet: { depth: 2, base_filters: 8, batch_norm: true, dropout: 0 },
  });
  const { record } = await runTrain(params, dataset.binaryDir);
  const selected = record.curve[record.selected_epoch - 1];
  // The tumor is the brightest structure, so a few dozen steps reach a Dice of about 0.8.
  assert.ok(selected.val_tumor_dice > 0.5, `curve ${JSON.stringify(record.curve)}`);
  assert.ok(record.curve[2].train_loss < record.curve[0].train_loss, `curve ${JSON.stringify(record.curve)}`);
});
