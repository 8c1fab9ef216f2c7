/**
 * Writes a tiny synthetic dataset in the layouts of resample's `cases` and label-map's `labels`
 * (see stages/ARTIFACTS.md). Volumes are 32 x 32 x 4 with a bright square "organ" and a brighter
 * tumor blob. One label set has classes [background, tumor], the other [background, organ, tumor].
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeNifti } from "../../stages/volume/nifti.ts";

export const SHAPE: [number, number, number] = [32, 32, 4];
const AFFINE = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 3, 0, 0, 0, 0, 1];

export interface SyntheticDataset {
  imagesDir: string;
  binaryDir: string;
  organsDir: string;
  caseIds: string[];
}

/** Creates `caseCount` cases; case i has its tumor at a position that depends on i. */
export async function writeSyntheticDataset(caseCount = 4): Promise<SyntheticDataset> {
  const root = mkdtempSync(join(tmpdir(), "segsweep-train-data-"));
  const imagesDir = join(root, "images");
  const binaryDir = join(root, "binary");
  const organsDir = join(root, "organs");
  const caseIds = Array.from({ length: caseCount }, (_, i) => `synth-${String(i).padStart(3, "0")}`);

  const imageCases = [];
  const binaryCases = [];
  const organsCases = [];
  for (const [i, id] of caseIds.entries()) {
    const { image, organs } = makeCase(i);
    const binary = organs.map((v) => (v === 2 ? 1 : 0));
    for (const dir of [imagesDir, binaryDir, organsDir]) mkdirSync(join(dir, id), { recursive: true });

    await writeNifti(join(imagesDir, id, "image.nii.gz"), volume(image));
    await writeNifti(join(binaryDir, id, "label.nii.gz"), volume(Uint8Array.from(binary)));
    await writeNifti(join(organsDir, id, "label.nii.gz"), volume(organs));

    imageCases.push({ id, image: `${id}/image.nii.gz`, label: `${id}/label.nii.gz` });
    binaryCases.push({ id, label: `${id}/label.nii.gz`, unannotated: [] as string[] });
    // The last case pretends its organ was not delineated: organ voxels are background.
    organsCases.push({ id, label: `${id}/label.nii.gz`, unannotated: i === caseCount - 1 ? ["organ"] : [] });
  }

  writeFileSync(join(imagesDir, "cases.json"), JSON.stringify({ source: "synthetic", synthetic: true, cases: imageCases }));
  writeFileSync(join(binaryDir, "labels.json"), JSON.stringify({ preset: "binary", classes: ["background", "tumor"], tumor_class: 1, cases: binaryCases }));
  writeFileSync(join(organsDir, "labels.json"), JSON.stringify({ preset: "organs", classes: ["background", "organ", "tumor"], tumor_class: 2, cases: organsCases }));
  return { imagesDir, binaryDir, organsDir, caseIds };
}

function makeCase(index: number): { image: Float32Array; organs: Uint8Array } {
  const [nx, ny, nz] = SHAPE;
  const image = new Float32Array(nx * ny * nz);
  const organs = new Uint8Array(nx * ny * nz);
  const tumorX = 8 + 4 * index;
  const tumorY = 10 + 3 * (index % 3);
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++) {
        const i = x + nx * (y + ny * z);
        image[i] = 0.1;
        if (x >= 18 && x < 28 && y >= 16 && y < 28) {
          image[i] = 0.5;
          organs[i] = 1;
        }
        const inTumor = z >= 1 && z <= 2 && (x - tumorX) ** 2 + (y - tumorY) ** 2 <= 9;
        if (inTumor) {
          image[i] = 0.9;
          organs[i] = 2;
        }
      }
    }
  }
  return { image, organs };
}

function volume<T extends Float32Array | Uint8Array>(data: T) {
  return { data, shape: SHAPE, spacing: [1, 1, 3] as [number, number, number], affine: AFFINE };
}
