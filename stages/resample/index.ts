/**
 * The `resample` stage: brings every case of an ingest `cases` artifact onto one canonical grid
 * and one intensity scale (layout `ct-cases-resampled` in stages/ARTIFACTS.md).
 *
 * Per case, in this order:
 * 1. Reorient to RAS and resample to `spacing_mm` in one pass through world coordinates
 *    (`resampleToSpacing` in stages/volume/resample.ts): trilinear for the CT, nearest
 *    neighbour for the label map, so label values stay the source's values. The grid covers
 *    the original field of view, centred on it.
 * 2. Crop (`crop`): `body` keeps the bounding box of the largest connected region above
 *    `body_threshold_hu`, `lung` the bounding box of the labels named in `lung_labels`. Both
 *    widen the box by `crop_margin_mm`. A case without lung voxels falls back to the body box.
 * 3. Window the CT: clip to `window_hu` and scale linearly to [0, 1].
 *
 * The window is fixed and never computed from the label map. A label-dependent normalisation,
 * such as nnU-Net's CT scheme (percentiles and mean of the foreground voxels), would differ
 * between a binary and a multi-class label arm and confound the comparison that the ablation
 * makes. With one window, every arm trains on identical images. The lung crop reads the source
 * label map, which is the same for every arm.
 *
 * Each case goes through the item cache, keyed by the digest of its two files and the declared
 * labels, so adding a case to the data set reruns only that case.
 */
import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { definePlugin, singleInput, type StageContext } from "../../engine/plugin.ts";
import { CANONICAL_ORIENTATION } from "../volume/orientation.ts";
import { labelValuesNamed, readInputCases, type InputCase, type InputCases } from "./cases-file.ts";
import { resampleCase, type CaseRecord, type CaseSettings, type CropMode } from "./resample-case.ts";

export interface ResampleParams {
  spacing_mm: number | [number, number, number];
  window_hu: [number, number];
  crop: CropMode;
  crop_margin_mm: number;
  body_threshold_hu: number;
  lung_labels: string[];
}

/** Output range of the windowed CT. */
const OUTPUT_RANGE = [0, 1];

export default definePlugin<ResampleParams>({
  name: "resample",
  version: "1",
  description: "Reorients cases to RAS, resamples them to a fixed spacing, optionally crops, and windows the CT to [0, 1]",
  params: {
    type: "object",
    additionalProperties: false,
    properties: {
      spacing_mm: {
        description: "Target voxel size in mm along the RAS axes (x, y, z), or one number for isotropic voxels",
        default: [1.5, 1.5, 3],
        oneOf: [
          { type: "number", exclusiveMinimum: 0 },
          { type: "array", items: { type: "number", exclusiveMinimum: 0 }, minItems: 3, maxItems: 3 },
        ],
      },
      window_hu: {
        description:
          "HU window [low, high]: values are clipped to it and scaled linearly to [0, 1]; the default keeps air to dense bone",
        type: "array",
        items: { type: "number" },
        minItems: 2,
        maxItems: 2,
        default: [-1000, 500],
      },
      crop: {
        description: "Crop after resampling: none, body (largest region above body_threshold_hu) or lung (box of lung_labels)",
        enum: ["none", "body", "lung"],
        default: "none",
      },
      crop_margin_mm: {
        description: "Margin in mm added on every side of the crop box",
        type: "number",
        minimum: 0,
        default: 10,
      },
      body_threshold_hu: {
        description: "HU above which a voxel belongs to the body mask of crop: body; -500 separates tissue from air and lung",
        type: "number",
        default: -500,
      },
      lung_labels: {
        description: "Source label names whose bounding box is the crop: lung box",
        type: "array",
        items: { type: "string" },
        minItems: 1,
        default: ["lung_left", "lung_right"],
      },
    },
  },
  inputs: {
    cases: { description: "Cases on their original grids (ingest output `cases`)" },
  },
  outputs: {
    cases: { description: "Cases on a canonical RAS grid: windowed float32 CT and source labels", kind: "ct-cases-resampled" },
  },
  resources: { cpu: 1, memory_mb: 2048 },

  async run(ctx) {
    const inputDir = singleInput(ctx, "cases").path;
    const input = await readInputCases(inputDir);
    const settings = caseSettings(ctx, input);
    ctx.log.info(
      `resampling ${input.cases.length} cases to ${CANONICAL_ORIENTATION} at ${settings.spacingMm.join(" x ")} mm, ` +
        `window [${settings.windowHu.join(", ")}] HU to [0, 1], crop ${settings.crop}`,
    );

    const cases: Record<string, unknown>[] = [];
    for (const [index, entry] of input.cases.entries()) {
      if (ctx.signal.aborted) throw new Error(`${ctx.taskId}: cancelled`);
      const record = await resampleCachedCase(ctx, inputDir, input, entry, settings);
      cases.push({ ...entry, image: `${entry.id}/image.nii.gz`, label: `${entry.id}/label.nii.gz`, ...recordFields(record) });
      ctx.progress((index + 1) / input.cases.length, entry.id);
    }

    const output = {
      ...input,
      spacing_mm: settings.spacingMm,
      orientation: CANONICAL_ORIENTATION,
      intensity: { window_hu: settings.windowHu, output_range: OUTPUT_RANGE, clipped: true },
      crop: { mode: settings.crop, margin_mm: settings.cropMarginMm },
      cases,
    };
    await writeFile(join(ctx.outputs.cases, "cases.json"), `${JSON.stringify(output, null, 2)}\n`);
    return {
      cases: { cases: cases.length, spacing_mm: settings.spacingMm, orientation: CANONICAL_ORIENTATION, crop: settings.crop },
    };
  },
});

/** Validates the params against the input's labels and returns the per-case settings. */
function caseSettings(ctx: StageContext<ResampleParams>, input: InputCases): CaseSettings {
  const { params } = ctx;
  const spacing = params.spacing_mm;
  const spacingMm: [number, number, number] = typeof spacing === "number" ? [spacing, spacing, spacing] : [...spacing];
  const [low, high] = params.window_hu;
  if (!(high > low)) {
    throw new Error(`${ctx.taskId}: invalid window_hu [${low}, ${high}]; the upper bound must exceed the lower`);
  }

  const lungValues = labelValuesNamed(input.labels, params.lung_labels);
  if (params.crop === "lung" && lungValues.length === 0) {
    throw new Error(
      `${ctx.taskId}: crop: lung needs labels named ${params.lung_labels.join(", ")}, but the input declares ` +
        `${JSON.stringify(input.labels)}; set lung_labels to the lung label names or use crop: body`,
    );
  }

  return {
    spacingMm,
    windowHu: [low, high],
    crop: params.crop,
    cropMarginMm: params.crop_margin_mm,
    bodyThresholdHu: params.body_threshold_hu,
    lungValues: new Set(lungValues),
    tumorValues: new Set(labelValuesNamed(input.labels, ["tumor"])),
  };
}

/**
 * Resamples one case through the item cache and links its files into the output. The item
 * digest covers the case's two files and the declared labels, because the labels decide the
 * lung crop. The cache adds the plugin source and the params.
 */
async function resampleCachedCase(
  ctx: StageContext<ResampleParams>,
  inputDir: string,
  input: InputCases,
  entry: InputCase,
  settings: CaseSettings,
): Promise<CaseRecord> {
  const imagePath = join(inputDir, entry.image);
  const labelPath = join(inputDir, entry.label);
  const filesDigest = await ctx.items.digestFiles([imagePath, labelPath]);
  const digest = `sha256:${createHash("sha256").update(JSON.stringify({ filesDigest, labels: input.labels })).digest("hex")}`;

  let computed = false;
  const itemDir = await ctx.items.get(entry.id, digest, async (dir) => {
    computed = true;
    await resampleCase(imagePath, labelPath, settings, dir);
  });
  await ctx.items.linkInto(itemDir, join(ctx.outputs.cases, entry.id));

  const record = JSON.parse(await readFile(join(itemDir, "resample.json"), "utf8")) as CaseRecord;
  logCase(ctx, entry.id, record, computed);
  return record;
}

function recordFields(record: CaseRecord): Record<string, unknown> {
  const { warnings: _warnings, ...fields } = record;
  return fields;
}

function logCase(ctx: StageContext<ResampleParams>, id: string, record: CaseRecord, computed: boolean): void {
  const { original } = record;
  const crop = record.bbox
    ? `, ${record.bbox.mode} crop from ${record.bbox.grid_shape.join("x")} at voxel ${record.bbox.start.join(",")}`
    : "";
  ctx.log.info(
    `${id}: ${original.orientation} ${original.shape.join("x")} at ${original.spacing_mm.join(" x ")} mm -> ` +
      `${CANONICAL_ORIENTATION} ${record.shape.join("x")}${crop}${computed ? "" : " (cached)"}`,
  );
  for (const warning of record.warnings) ctx.log.warn(`${id}: ${warning}`);
}
