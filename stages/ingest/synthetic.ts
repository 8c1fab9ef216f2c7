/**
 * The `synthetic-chest` source: phantom cases written in the ingest output layout.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { generateChestCase, type ChestPhantomOptions } from "../phantom/chest-phantom.ts";
import { writeNifti } from "../volume/nifti.ts";

export const SYNTHETIC_SOURCE = "synthetic-chest";

export interface PhantomParams {
  shape?: [number, number, number];
  spacing_mm?: [number, number, number];
  drop_organ_probability?: number;
}

/** Case id of phantom case `index`: `synth-000`, `synth-001`, ... */
export function syntheticCaseId(index: number): string {
  return `synth-${String(index).padStart(3, "0")}`;
}

/**
 * Generates phantom case `index` and writes `image.nii.gz` (int16 HU), `label.nii.gz` (uint8)
 * and `phantom.json` (tumors in patient LPS mm, dropped organ labels, noise) into `dir`.
 */
export async function writeSyntheticCase(dir: string, seed: number, index: number, phantom: PhantomParams): Promise<void> {
  const options: ChestPhantomOptions = {
    seed,
    index,
    shape: phantom.shape,
    spacingMm: phantom.spacing_mm,
    dropOrganProbability: phantom.drop_organ_probability,
  };
  const generated = generateChestCase(options);

  await writeNifti(join(dir, "image.nii.gz"), generated.image, { datatype: "int16" });
  await writeNifti(join(dir, "label.nii.gz"), generated.label, { datatype: "uint8" });
  const description = {
    seed,
    index,
    noise_sd_hu: generated.noiseSdHu,
    unannotated: generated.unannotated,
    tumors: generated.tumors,
  };
  await writeFile(join(dir, "phantom.json"), `${JSON.stringify(description, null, 2)}\n`);
}
