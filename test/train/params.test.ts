import { test } from "node:test";
import assert from "node:assert/strict";
import { Ajv } from "ajv";
import train from "../../stages/train/index.ts";
import { resolveTrainParams, TRAIN_DEFAULTS, TRAIN_PARAMS_SCHEMA } from "../../stages/train/params.ts";

test("schema defaults equal TRAIN_DEFAULTS", () => {
  const validate = new Ajv({ useDefaults: true, strict: false }).compile(TRAIN_PARAMS_SCHEMA);
  const params = {};
  assert.ok(validate(params), JSON.stringify(validate.errors));
  assert.deepEqual(params, TRAIN_DEFAULTS);
});

test("schema rejects unknown loss", () => {
  const validate = new Ajv({ useDefaults: true, strict: false }).compile(TRAIN_PARAMS_SCHEMA);
  assert.equal(validate({ loss: "hinge" }), false);
  assert.equal(validate({ unet: { depth: 0 } }), false);
  assert.equal(validate({ tumor_patch_fraction: 1.5 }), false);
});

test("resolveTrainParams fills nested defaults", () => {
  const params = resolveTrainParams({ loss: "focal", loss_options: { focal_gamma: 3 }, unet: { depth: 2 } } as never);
  assert.equal(params.loss, "focal");
  assert.equal(params.loss_options.focal_gamma, 3);
  assert.equal(params.loss_options.tversky_beta, TRAIN_DEFAULTS.loss_options.tversky_beta);
  assert.equal(params.unet.depth, 2);
  assert.equal(params.unet.base_filters, TRAIN_DEFAULTS.unet.base_filters);
});

test("runtime facts name backend and version", async () => {
  const facts = await train.runtimeFacts!(resolveTrainParams({ backend: "cpu" }));
  assert.deepEqual(Object.keys(facts).sort(), ["backend", "tfjs_version"]);
  assert.equal(facts.backend, "cpu");
  assert.match(facts.tfjs_version, /^4\.22\./);
});
