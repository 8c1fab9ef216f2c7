/**
 * The `label-map` stage: maps the source labels of each case to the classes of one ablation
 * arm, counts voxels per class and records which organ contours a case lacks.
 *
 * Presets (`preset` param; source names as in the NSCLC-Radiomics export and the phantom):
 *
 * | preset | classes (id order)                                              | other labels  |
 * |--------|-----------------------------------------------------------------|---------------|
 * | binary | background, tumor                                               | -> background |
 * | organs | background, tumor, lung (= lung_left + lung_right), heart,      | -> background |
 * |        | esophagus, spinal_cord                                          |               |
 * | fine   | background, then every declared source label in id order        | none          |
 * | region | background, lung (lung voxels that are not tumor), tumor        | -> background |
 *
 * A custom arm replaces the preset: `mapping: { lung: [lung_left, lung_right], tumor: [tumor] }`
 * plus `drop: [heart, ...]`. Every declared source label must be mapped or dropped, and dropped
 * labels become background. Class ids follow the order of `mapping`, after background (0).
 *
 * Nested regions (`region` preset): the label map stores each voxel's innermost region as a
 * plain class (0 background, 1 lung, 2 tumor), and labels.json adds
 * `regions: { lung: [1, 2], tumor: [2] }`. Train must build one sigmoid channel per region,
 * channel r = (label in regions[r]), with a per-channel loss instead of a softmax over classes.
 * At inference a voxel gets the id of the last region, in labels.json order, whose probability
 * exceeds 0.5 (the region-based training of nnU-Net).
 *
 * Partial annotation: a case lists a class in `unannotated` when a name in `always_present`
 * (the class or one of its source labels) has zero voxels. Training can then use a marginal
 * loss for that class in that case. Background and tumor are never unannotated, because a
 * zero-voxel tumor is a real negative.
 *
 * Output layout (kind `label-maps`, see stages/ARTIFACTS.md): `labels.json`,
 * `<id>/label.nii.gz` (uint8 class ids on the input grid) and `<id>/counts.json`.
 */
import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { definePlugin, singleInput, type StageContext } from "../../engine/plugin.ts";
import { readNifti, writeNifti } from "../volume/nifti.ts";
import { applyMapping, findUnannotated, type MappedLabels } from "./apply-mapping.ts";
import { readCasesLabels, type CaseLabelsEntry } from "./cases-file.ts";
import { resolveMapping, type ResolvedMapping } from "./mapping.ts";
import { DEFAULT_ALWAYS_PRESENT, PRESET_NAMES, presetRequest, type PresetName } from "./presets.ts";

export interface LabelMapParams {
  preset?: PresetName;
  mapping?: Record<string, string[]>;
  drop?: string[];
  always_present?: string[];
}

type Counts = Omit<MappedLabels, "label">;

export default definePlugin<LabelMapParams>({
  name: "label-map",
  version: "1",
  description: "Maps source labels to the classes of an ablation arm (preset or custom mapping)",
  params: {
    type: "object",
    additionalProperties: false,
    properties: {
      preset: { enum: [...PRESET_NAMES], description: "Class preset: binary, organs, fine or region" },
      mapping: {
        type: "object",
        description: "Custom arm: class name to the source label names it merges; replaces `preset`",
        additionalProperties: { type: "array", items: { type: "string" }, minItems: 1 },
      },
      drop: {
        type: "array",
        items: { type: "string" },
        description: "Source labels that become background (with `mapping` only)",
      },
      always_present: {
        type: "array",
        items: { type: "string" },
        description: `Class or source label names whose zero voxel count marks a contour as missing; default: ${DEFAULT_ALWAYS_PRESENT.join(", ")} where the arm uses them`,
      },
    },
  },
  inputs: {
    cases: { description: "Cases with source label maps (`ct-cases` or `ct-cases-resampled`)" },
  },
  outputs: {
    labels: { description: "Label maps in the arm's classes, with voxel counts", kind: "label-maps" },
  },
  resources: { cpu: 1, memory_mb: 2048 },

  async run(ctx) {
    const input = singleInput(ctx, "cases");
    const source = await readCasesLabels(input.path);
    const mapping = resolveMapping(mappingRequest(ctx.params, Object.values(source.labels)), source.labels, ctx.params.always_present);
    ctx.log.info(`${mapping.preset}: classes ${mapping.classes.join(", ")}; dropped: ${mapping.dropped.join(", ") || "none"}`);

    const caseEntries = [];
    for (const [n, entry] of source.cases.entries()) {
      if (ctx.signal.aborted) throw new Error(`${ctx.taskId}: cancelled`);
      const counts = await mapCase(ctx, input.path, entry, mapping);
      const unannotated = findUnannotated(mapping, counts);
      if (unannotated.length > 0) ctx.log.info(`${entry.id}: unannotated ${unannotated.join(", ")}`);
      caseEntries.push({
        id: entry.id,
        label: `${entry.id}/label.nii.gz`,
        voxel_counts: counts.voxelCounts,
        unannotated,
      });
      ctx.progress((n + 1) / source.cases.length, entry.id);
    }

    const labelsJson = {
      preset: mapping.preset,
      classes: mapping.classes,
      tumor_class: mapping.tumorClass,
      mapping: mapping.mapping,
      dropped: mapping.dropped,
      ...(mapping.regions ? { regions: mapping.regions } : {}),
      always_present: mapping.alwaysPresent,
      synthetic: source.synthetic,
      cases: caseEntries,
    };
    await writeFile(join(ctx.outputs.labels, "labels.json"), `${JSON.stringify(labelsJson, null, 2)}\n`);

    return {
      labels: {
        preset: mapping.preset,
        classes: mapping.classes.length,
        cases: caseEntries.length,
        cases_with_unannotated: caseEntries.filter((entry) => entry.unannotated.length > 0).length,
      },
    };
  },
});

function mappingRequest(params: LabelMapParams, sourceNames: string[]) {
  if (params.mapping && params.preset) {
    throw new Error(`label-map: give either 'preset' (${params.preset}) or 'mapping', not both`);
  }
  if (params.mapping) {
    const classes = Object.entries(params.mapping).map(([name, sources]) => ({ name, sources }));
    return { preset: "custom", classes, drop: params.drop ?? [] };
  }
  if (!params.preset) {
    throw new Error(`label-map: set 'preset' to one of ${PRESET_NAMES.join(", ")}, or give a custom 'mapping'`);
  }
  if (params.drop) {
    throw new Error(`label-map: 'drop' applies to a custom 'mapping' only; preset '${params.preset}' drops what it does not use`);
  }
  return presetRequest(params.preset, sourceNames);
}

/**
 * Maps one case through the item cache and links the result into the output. The item digest
 * covers the source label file and the resolved lookup table, since the table depends on the
 * input's declared labels, which the params do not show.
 */
async function mapCase(
  ctx: StageContext<LabelMapParams>,
  inputDir: string,
  entry: CaseLabelsEntry,
  mapping: ResolvedMapping,
): Promise<Counts> {
  const sourcePath = join(inputDir, entry.label);
  const fileDigest = await ctx.items.digestFiles([sourcePath]);
  const itemDigest = createHash("sha256")
    .update(fileDigest)
    .update(JSON.stringify({ classes: mapping.classes, lookup: [...mapping.lookup], labels: mapping.sourceLabels }))
    .digest("hex");

  const itemDir = await ctx.items.get(entry.id, `sha256:${itemDigest}`, async (dir) => {
    const mapped = applyMapping(await readNifti(sourcePath), mapping, sourcePath);
    await writeNifti(join(dir, "label.nii.gz"), mapped.label, { datatype: "uint8" });
    const counts: Counts = { sourceVoxelCounts: mapped.sourceVoxelCounts, voxelCounts: mapped.voxelCounts };
    await writeFile(join(dir, "counts.json"), `${JSON.stringify(counts, null, 2)}\n`);
  });

  await ctx.items.linkInto(itemDir, join(ctx.outputs.labels, entry.id));
  return JSON.parse(await readFile(join(itemDir, "counts.json"), "utf8")) as Counts;
}
