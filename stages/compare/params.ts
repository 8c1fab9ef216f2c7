/** Params of the compare stage (`with:` in a pipeline) and their JSON Schema. */
import type { JsonSchema } from "../../engine/plugin.ts";

export interface CompareParams {
  /** Matrix axis whose values are the arms, for example `granularity`. */
  arm_axis: string;
  /** Arm that every other arm is compared with. */
  baseline: string;
  /** Matrix axis of the loss function; the arm table pairs arms with the same loss. */
  loss_axis: string;
  /** Loss that the other losses are compared with inside an arm; default: the first loss of the grid. */
  reference_loss?: string;
  seed_axis: string;
  fold_axis: string;
  /** Per-case field of metrics.json to compare, for example `dice` or `hd95_mm`. */
  metric: string;
  /** Bootstrap resamples of the case-level differences. */
  bootstrap_resamples: number;
  /** Seed of the bootstrap PRNG, an integer from 1 to 2^32 - 1. */
  seed: number;
  /** Two-sided significance level of the tests and 1 - level of the intervals. */
  alpha: number;
}

/** Defaults of every param that has one; the schema below applies the same values. */
export const COMPARE_DEFAULTS = {
  arm_axis: "granularity",
  baseline: "binary",
  loss_axis: "loss",
  seed_axis: "seed",
  fold_axis: "fold",
  metric: "dice",
  bootstrap_resamples: 10000,
  seed: 20240601,
  alpha: 0.05,
} satisfies CompareParams;

export const compareParamsSchema: JsonSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    arm_axis: { type: "string", default: COMPARE_DEFAULTS.arm_axis, description: "Matrix axis of the arms." },
    baseline: { type: "string", default: COMPARE_DEFAULTS.baseline, description: "Arm compared against." },
    loss_axis: { type: "string", default: COMPARE_DEFAULTS.loss_axis, description: "Matrix axis of the loss function." },
    reference_loss: { type: "string", description: "Loss compared against inside an arm; default: the first loss." },
    seed_axis: { type: "string", default: COMPARE_DEFAULTS.seed_axis, description: "Matrix axis of the training seed." },
    fold_axis: { type: "string", default: COMPARE_DEFAULTS.fold_axis, description: "Matrix axis of the cross-validation fold." },
    metric: { type: "string", default: COMPARE_DEFAULTS.metric, description: "Per-case field of metrics.json." },
    bootstrap_resamples: {
      type: "integer",
      minimum: 10000,
      default: COMPARE_DEFAULTS.bootstrap_resamples,
      description: "Bootstrap resamples of the cases; at least 10,000 so that the interval bounds vary little between seeds.",
    },
    seed: { type: "integer", minimum: 1, maximum: 4294967295, default: COMPARE_DEFAULTS.seed, description: "Bootstrap PRNG seed." },
    alpha: { type: "number", exclusiveMinimum: 0, exclusiveMaximum: 0.5, default: COMPARE_DEFAULTS.alpha, description: "Two-sided significance level; intervals have level 1 - alpha." },
  },
};
