/**
 * Writes tiny chest-like cases in the ingest `cases` layout (stages/ARTIFACTS.md) for the
 * resample stage tests. Each case is an LPS int16 CT and its uint8 label map: an elliptic body,
 * two lungs, a tumor, and a couch separated from the body by air.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { applyAffine } from "../../stages/volume/affine.ts";
import { writeNifti } from "../../stages/volume/nifti.ts";

export const FIXTURE_LABELS = { "0": "background", "1": "tumor", "2": "lung_left", "3": "lung_right" };

export const FIXTURE_SHAPE: [number, number, number] = [40, 32, 10];
const SPACING = [2, 2.5, 4];

/** LPS affine: i towards patient left, j towards posterior, k towards superior. */
export function fixtureAffine(shiftMm = 0): number[] {
  return [-SPACING[0], 0, 0, 40 + shiftMm, 0, -SPACING[1], 0, 30, 0, 0, SPACING[2], -20, 0, 0, 0, 1];
}

/** HU and label at a world position in RAS+ mm. The body centre is at (0, 0) in x and y. */
export function chestAt([x, y]: [number, number, number]): { hu: number; label: number } {
  const tumor = Math.hypot(x + 12, y - 5) < 4;
  const lungLeft = Math.hypot(x + 12, y) < 9;
  const lungRight = Math.hypot(x - 12, y) < 9;
  const body = (x / 34) ** 2 + (y / 22) ** 2 < 1;
  // The couch lies posterior (negative y) of the body, 4 mm of air below the skin.
  const couch = y < -26 && y > -32 && Math.abs(x) < 30;

  if (tumor) return { hu: 30, label: 1 };
  if (lungLeft) return { hu: -850, label: 2 };
  if (lungRight) return { hu: -850, label: 3 };
  if (body) return { hu: 40, label: 0 };
  if (couch) return { hu: 100, label: 0 };
  return { hu: -1000, label: 0 };
}

/** Writes `<dir>/<id>/image.nii.gz` and `label.nii.gz` for one case. */
export async function writeFixtureCase(dir: string, id: string, shiftMm = 0): Promise<void> {
  const [nx, ny, nz] = FIXTURE_SHAPE;
  const image = new Int16Array(nx * ny * nz);
  const label = new Uint8Array(nx * ny * nz);
  const affine = fixtureAffine(shiftMm);

  let index = 0;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, index++) {
        const world = applyAffine(affine, [i, j, k]);
        const { hu, label: value } = chestAt([world[0] - shiftMm, world[1], world[2]]);
        image[index] = hu;
        label[index] = value;
      }
    }
  }

  mkdirSync(join(dir, id), { recursive: true });
  const spacing = [SPACING[0], SPACING[1], SPACING[2]] as [number, number, number];
  await writeNifti(join(dir, id, "image.nii.gz"), { data: image, shape: FIXTURE_SHAPE, spacing, affine });
  await writeNifti(join(dir, id, "label.nii.gz"), { data: label, shape: FIXTURE_SHAPE, spacing, affine });
}

/** Writes an ingest-layout folder with the given case ids and returns nothing. */
export async function writeFixtureCases(dir: string, ids: string[], labels: Record<string, string> = FIXTURE_LABELS): Promise<void> {
  for (const [n, id] of ids.entries()) await writeFixtureCase(dir, id, n * 2);
  const cases = ids.map((id) => ({ id, image: `${id}/image.nii.gz`, label: `${id}/label.nii.gz` }));
  writeFileSync(join(dir, "cases.json"), JSON.stringify({ source: "fixture", synthetic: true, labels, cases }, null, 2));
}
