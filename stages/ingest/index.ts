/**
 * The `ingest` stage: reads a data set (or generates the synthetic phantom), validates every
 * case and writes the cases in the `ct-cases` layout of stages/ARTIFACTS.md, one folder per case.
 *
 * `source` is either `synthetic-chest` (phantom cases from `cases` and `seed`, see
 * stages/phantom/chest-phantom.ts) or a path to a data set folder in the MSD layout
 * (`dataset.json`) or the folder pair layout (`images/` + `labels/`), described in
 * `dataset-layout.ts`. A relative path resolves against the current working directory of the
 * process that plans and runs the task, which is the repository root for `npm run segsweep`.
 *
 * Validation reports every problem of the data set in one error. Each listed file must exist
 * and be a readable 3-D NIfTI volume. Each image needs a label map with the same shape and an
 * affine whose grid corners lie within `affine_tolerance_mm` (default 0.1 mm) of the image's.
 * Label values must be declared labels, and image values must be finite.
 *
 * Output: images as int16 HU (rounded, clamped to the int16 range with a warning), label maps as
 * uint8, both on the original grid and affine. The task key includes `runtimeFacts`: for a path
 * source, a digest of the data set files' paths, sizes and modification times.
 */
import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { definePlugin, type StageContext } from "../../engine/plugin.ts";
import { PHANTOM_LABELS, phantomLabelTable } from "../phantom/labels.ts";
import { writeNifti } from "../volume/nifti.ts";
import { readDatasetLayout, type CasePair, type DatasetLayout } from "./dataset-layout.ts";
import { CaseProblems, DEFAULT_AFFINE_TOLERANCE_MM, loadCase } from "./load-case.ts";
import { sourceFileFacts } from "./source-facts.ts";
import { SYNTHETIC_SOURCE, syntheticCaseId, writeSyntheticCase, type PhantomParams } from "./synthetic.ts";

export interface IngestParams {
  source: string;
  cases: number;
  seed: number;
  phantom: PhantomParams;
  labels?: Record<string, string>;
  affine_tolerance_mm: number;
}

interface CaseEntry {
  id: string;
  image: string;
  label: string;
  phantom?: unknown;
}

const triple = (description: string) => ({
  type: "array",
  items: { type: "number", exclusiveMinimum: 0 },
  minItems: 3,
  maxItems: 3,
  description,
});

export default definePlugin<IngestParams>({
  name: "ingest",
  version: "1",
  description: "Reads and validates a CT data set (MSD or images/ + labels/) or generates the synthetic chest phantom",
  params: {
    type: "object",
    additionalProperties: false,
    required: ["source"],
    properties: {
      source: {
        type: "string",
        minLength: 1,
        description: `'${SYNTHETIC_SOURCE}', or a data set folder (MSD or images/ + labels/), relative to the working directory`,
      },
      cases: { type: "integer", minimum: 1, default: 8, description: "Number of phantom cases (synthetic source only)" },
      seed: { type: "integer", minimum: 0, default: 0, description: "Phantom seed (synthetic source only)" },
      phantom: {
        type: "object",
        additionalProperties: false,
        default: {},
        description: "Phantom options (synthetic source only)",
        properties: {
          shape: { ...triple("Voxels along i, j, k; default 128 x 128 x 48"), items: { type: "integer", minimum: 8 } },
          spacing_mm: triple("Voxel size in mm along i, j, k; default 2.7 x 2.7 x 5"),
          drop_organ_probability: {
            type: "number",
            minimum: 0,
            maximum: 1,
            description: "Probability that a case loses its heart or esophagus contour; default 0",
          },
        },
      },
      labels: {
        type: "object",
        additionalProperties: { type: "string" },
        description: "Label id to name, for a folder pair data set without labels.json",
      },
      affine_tolerance_mm: {
        type: "number",
        minimum: 0,
        default: DEFAULT_AFFINE_TOLERANCE_MM,
        description: "Maximum distance in mm between image and label grid corners",
      },
    },
  },
  inputs: {},
  outputs: {
    cases: { description: "Validated cases: int16 CT in HU and uint8 source labels", kind: "ct-cases" },
  },
  resources: { cpu: 1, memory_mb: 4096 },

  runtimeFacts(params) {
    if (params.source === SYNTHETIC_SOURCE) return {};
    return sourceFileFacts(params.source, params.labels);
  },

  async run(ctx) {
    const { source } = ctx.params;
    const result = source === SYNTHETIC_SOURCE ? await ingestSynthetic(ctx) : await ingestDataset(ctx);

    const casesJson = { source, synthetic: source === SYNTHETIC_SOURCE, labels: result.labels, cases: result.cases };
    await writeFile(join(ctx.outputs.cases, "cases.json"), `${JSON.stringify(casesJson, null, 2)}\n`);
    return { cases: { source, synthetic: casesJson.synthetic, cases: result.cases.length, labels: Object.keys(result.labels).length } };
  },
});

async function ingestSynthetic(ctx: StageContext<IngestParams>) {
  const { cases: count, seed, phantom } = ctx.params;
  ctx.log.info(
    `SYNTHETIC data: generating ${count} phantom chest CT cases (seed ${seed}); results say nothing about real patients`,
  );

  const cases: CaseEntry[] = [];
  for (let index = 0; index < count; index++) {
    throwIfAborted(ctx);
    const id = syntheticCaseId(index);
    const digest = digestJson({ seed, index, phantom });
    const itemDir = await ctx.items.get(id, digest, (dir) => writeSyntheticCase(dir, seed, index, phantom));
    await ctx.items.linkInto(itemDir, join(ctx.outputs.cases, id));

    const description = JSON.parse(await readFile(join(itemDir, "phantom.json"), "utf8"));
    cases.push({ id, image: `${id}/image.nii.gz`, label: `${id}/label.nii.gz`, phantom: description });
    ctx.progress((index + 1) / count, id);
  }

  const labels = phantomLabelTable();
  ctx.log.info(`SYNTHETIC data: ${count} cases, labels ${Object.keys(PHANTOM_LABELS).join(", ")}`);
  return { labels, cases };
}

async function ingestDataset(ctx: StageContext<IngestParams>) {
  const layout = await readDatasetLayout(ctx.params.source, ctx.params.labels);
  ctx.log.info(`${layout.root}: ${layout.layout} layout, ${layout.pairs.length} cases, labels ${Object.values(layout.labels).join(", ")}`);

  const problems = [...layout.problems];
  const cases: CaseEntry[] = [];
  for (const [n, pair] of layout.pairs.entries()) {
    throwIfAborted(ctx);
    try {
      await ingestCase(ctx, layout, pair);
      cases.push({ id: pair.id, image: `${pair.id}/image.nii.gz`, label: `${pair.id}/label.nii.gz` });
    } catch (error) {
      if (!(error instanceof CaseProblems)) throw error;
      problems.push(...error.problems);
    }
    ctx.progress((n + 1) / layout.pairs.length, pair.id);
  }

  if (problems.length > 0) {
    throw new Error(
      `${layout.root}: ${problems.length} problem(s) in the data set; fix them and rerun:\n  - ${problems.join("\n  - ")}`,
    );
  }
  return { labels: layout.labels, cases };
}

/**
 * Validates and converts one case through the item cache. The item digest covers both files'
 * contents, the declared labels and the tolerance, which decide whether the case is valid.
 */
async function ingestCase(ctx: StageContext<IngestParams>, layout: DatasetLayout, pair: CasePair): Promise<void> {
  const fileDigest = await ctx.items.digestFiles([pair.image, pair.label]);
  const digest = digestJson({ fileDigest, labels: layout.labels, tolerance: ctx.params.affine_tolerance_mm });

  const itemDir = await ctx.items.get(pair.id, digest, async (dir) => {
    const loaded = await loadCase(pair, layout.labels, ctx.params.affine_tolerance_mm);
    if (loaded.clampedVoxels > 0) {
      ctx.log.warn(`${pair.image}: ${loaded.clampedVoxels} voxels clamped to the int16 range [-32768, 32767]`);
    }
    await writeNifti(join(dir, "image.nii.gz"), loaded.image, { datatype: "int16" });
    await writeNifti(join(dir, "label.nii.gz"), loaded.label, { datatype: "uint8" });
  });
  await ctx.items.linkInto(itemDir, join(ctx.outputs.cases, pair.id));
}

function digestJson(value: unknown): string {
  return `sha256:${createHash("sha256").update(JSON.stringify(value)).digest("hex")}`;
}

function throwIfAborted(ctx: StageContext<IngestParams>): void {
  if (ctx.signal.aborted) throw new Error(`${ctx.taskId}: cancelled`);
}
