/** Parameters of the evaluate stage and their JSON Schema. */
import type { JsonSchema } from "../../engine/plugin.ts";
import type { BackendRequest } from "../model/backend.ts";
import type { Blending } from "./tiling.ts";

export interface EvaluateParams {
  /** "validation": the held-out cases of the model's fold; "all": every case of `images`. */
  cases: "validation" | "all";
  /** Inference tile side in pixels; null takes the training patch size. */
  tile_size: number | null;
  /** Minimum overlap of neighbouring inference tiles, as a fraction of the tile. */
  overlap: number;
  blending: Blending;
  /** Tiles per forward pass. */
  batch_size: number;
  backend: BackendRequest;
  /** NSD tolerance in mm. */
  nsd_tolerance_mm: number;
}

export const EVALUATE_PARAMS_SCHEMA: JsonSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    cases: {
      enum: ["validation", "all"],
      default: "validation",
      description: "Cases to evaluate: the model's held-out fold, or every case of the images input.",
    },
    tile_size: {
      type: ["integer", "null"],
      minimum: 8,
      default: null,
      description:
        "Inference tile side in pixels, a multiple of 2^unet.depth; null (default) uses the training " +
        "patch size. Larger tiles give each pixel more context and fewer overlapping tiles, so less work.",
    },
    overlap: {
      type: "number",
      minimum: 0,
      maximum: 0.9,
      default: 0.5,
      description: "Minimum overlap of neighbouring sliding-window tiles as a fraction of the tile size.",
    },
    blending: {
      enum: ["gaussian", "uniform"],
      default: "gaussian",
      description: "Weights of overlapping tile predictions: Gaussian (sigma = tile size / 8) or uniform.",
    },
    batch_size: {
      type: "integer",
      minimum: 1,
      default: 8,
      description: "Tiles per forward pass; larger batches use more memory.",
    },
    backend: {
      enum: ["auto", "tensorflow", "wasm", "cpu"],
      default: "auto",
      description: "TF.js backend; auto takes tfjs-node-gpu, tfjs-node, wasm, then cpu.",
    },
    nsd_tolerance_mm: {
      type: "number",
      minimum: 0,
      // 2 mm accepts a boundary displaced by about one voxel of a 1.5 mm training grid, the error
      // that mapping a prediction back to the original grid can introduce by itself.
      default: 2,
      description: "Tolerance in mm of the normalised surface distance (NSD).",
    },
  },
};
