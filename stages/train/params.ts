/**
 * Params of the train stage: defaults, JSON Schema and the resolved type.
 */
import type { JsonSchema } from "../../engine/plugin.ts";
import { LOSS_DEFAULTS, LOSS_NAMES, type LossName } from "../model/losses.ts";
import { UNET_DEFAULTS } from "../model/unet.ts";

export type Selection = "last" | "best_val_tumor_dice";

export interface TrainParams {
  backend: "auto" | "tensorflow" | "wasm" | "cpu";
  loss: LossName;
  loss_options: {
    dice_smooth: number;
    dice_batch: boolean;
    include_background: boolean;
    focal_gamma: number;
    tversky_alpha: number;
    tversky_beta: number;
    focal_tversky_gamma: number;
    tumor_weight: number;
    marginal: boolean;
  };
  seed: number;
  fold: number;
  folds: number;
  split_seed: number;
  patch_size: number;
  batch_size: number;
  epochs: number;
  steps_per_epoch: number;
  learning_rate: number;
  unet: { depth: number; base_filters: number; batch_norm: boolean; dropout: number };
  context_slices: number;
  tumor_patch_fraction: number;
  selection: Selection;
  checkpoint_every: number;
  validate_every: number;
}

export const TRAIN_DEFAULTS: TrainParams = {
  backend: "auto",
  loss: "dice_ce",
  loss_options: {
    dice_smooth: LOSS_DEFAULTS.smooth,
    dice_batch: LOSS_DEFAULTS.batch,
    include_background: LOSS_DEFAULTS.includeBackground,
    focal_gamma: LOSS_DEFAULTS.focalGamma,
    tversky_alpha: LOSS_DEFAULTS.tverskyAlpha,
    tversky_beta: LOSS_DEFAULTS.tverskyBeta,
    focal_tversky_gamma: LOSS_DEFAULTS.focalTverskyGamma,
    tumor_weight: 10,
    marginal: true,
  },
  seed: 0,
  fold: 0,
  folds: 5,
  split_seed: 0,
  patch_size: 64,
  batch_size: 4,
  epochs: 20,
  steps_per_epoch: 50,
  learning_rate: 1e-3,
  unet: {
    depth: UNET_DEFAULTS.depth,
    base_filters: UNET_DEFAULTS.baseFilters,
    batch_norm: UNET_DEFAULTS.batchNorm,
    dropout: UNET_DEFAULTS.dropout,
  },
  context_slices: 0,
  tumor_patch_fraction: 0.33,
  selection: "last",
  checkpoint_every: 1,
  validate_every: 1,
};

const d = TRAIN_DEFAULTS;

export const TRAIN_PARAMS_SCHEMA: JsonSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    backend: {
      enum: ["auto", "tensorflow", "wasm", "cpu"],
      default: d.backend,
      description: "TF.js backend; auto takes tensorflow (tfjs-node) when installed, else wasm.",
    },
    loss: { enum: LOSS_NAMES, default: d.loss, description: "Training loss on softmax probabilities." },
    loss_options: {
      type: "object",
      additionalProperties: false,
      default: {},
      properties: {
        dice_smooth: { type: "number", minimum: 0, default: d.loss_options.dice_smooth, description: "Smoothing s of (2TP + s) / (2TP + FP + FN + s), also of the Tversky index." },
        dice_batch: { type: "boolean", default: d.loss_options.dice_batch, description: "Sum TP, FP, FN over the batch (true) or per image (false)." },
        include_background: { type: "boolean", default: d.loss_options.include_background, description: "Include background in the class mean of overlap losses." },
        focal_gamma: { type: "number", minimum: 0, default: d.loss_options.focal_gamma, description: "Focusing exponent of the focal loss." },
        tversky_alpha: { type: "number", minimum: 0, default: d.loss_options.tversky_alpha, description: "Tversky weight of false positives." },
        tversky_beta: { type: "number", minimum: 0, default: d.loss_options.tversky_beta, description: "Tversky weight of false negatives." },
        focal_tversky_gamma: { type: "number", exclusiveMinimum: 0, default: d.loss_options.focal_tversky_gamma, description: "Focal-Tversky: loss is (1 - TI)^(1/gamma)." },
        tumor_weight: {
          type: "number",
          exclusiveMinimum: 0,
          default: d.loss_options.tumor_weight,
          description: "weighted_ce: weight of the tumor class; every other class has weight 1 in every arm. 10 is this project's choice, not a published value.",
        },
        marginal: {
          type: "boolean",
          default: d.loss_options.marginal,
          description: "On background pixels of cases with unannotated classes, merge those classes' probabilities into background before the loss.",
        },
      },
    },
    seed: { type: "integer", default: d.seed, description: "Seed of weight initialization and patch sampling." },
    fold: { type: "integer", minimum: 0, default: d.fold, description: "Held-out fold, 0-based." },
    folds: { type: "integer", minimum: 2, default: d.folds, description: "Number of cross-validation folds." },
    split_seed: { type: "integer", default: d.split_seed, description: "Seed of the case split, independent of seed." },
    patch_size: { type: "integer", minimum: 8, default: d.patch_size, description: "Square training patch side in pixels; a multiple of 2^unet.depth." },
    batch_size: { type: "integer", minimum: 1, default: d.batch_size, description: "Patches per training step." },
    epochs: { type: "integer", minimum: 1, default: d.epochs },
    steps_per_epoch: { type: "integer", minimum: 1, default: d.steps_per_epoch },
    learning_rate: { type: "number", exclusiveMinimum: 0, default: d.learning_rate, description: "Adam learning rate, constant." },
    unet: {
      type: "object",
      additionalProperties: false,
      default: {},
      properties: {
        depth: { type: "integer", minimum: 1, default: d.unet.depth },
        base_filters: { type: "integer", minimum: 1, default: d.unet.base_filters },
        batch_norm: { type: "boolean", default: d.unet.batch_norm },
        dropout: { type: "number", minimum: 0, exclusiveMaximum: 1, default: d.unet.dropout },
      },
    },
    context_slices: { type: "integer", minimum: 0, default: d.context_slices, description: "2.5D: neighbouring slices on each side as extra channels." },
    tumor_patch_fraction: {
      type: "number",
      minimum: 0,
      maximum: 1,
      default: d.tumor_patch_fraction,
      description: "Fraction of patches centred on a tumor voxel, the same in every arm.",
    },
    selection: {
      enum: ["last", "best_val_tumor_dice"],
      default: d.selection,
      description: "Output model: last epoch, or best tumor Dice on the held-out fold (optimistic if evaluate scores that fold).",
    },
    checkpoint_every: { type: "integer", minimum: 1, default: d.checkpoint_every, description: "Epochs between checkpoints." },
    validate_every: {
      type: "integer",
      minimum: 1,
      default: d.validate_every,
      description: "Epochs between whole-volume validations (the learning curve's tumor Dice); the last epoch is always validated.",
    },
  },
};

/** Fills missing params from `TRAIN_DEFAULTS`, for callers that bypass the engine's schema defaults. */
export function resolveTrainParams(raw: Partial<TrainParams> | Record<string, unknown>): TrainParams {
  const given = raw as Partial<TrainParams>;
  return {
    ...TRAIN_DEFAULTS,
    ...given,
    loss_options: { ...TRAIN_DEFAULTS.loss_options, ...(given.loss_options ?? {}) },
    unet: { ...TRAIN_DEFAULTS.unet, ...(given.unet ?? {}) },
  };
}
