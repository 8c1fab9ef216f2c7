/**
 * Synthetic chest CT phantom: small, deterministic CT-like volumes with label maps, for tests
 * and for pipelines that must run without the real data set.
 *
 * Default grid: 128 x 128 x 48 voxels of 2.7 x 2.7 x 5 mm, a 346 x 346 x 240 mm field of view.
 * That is about 1/40 of the voxels of a 512 x 512 x 130 clinical chest CT, small enough to train
 * on a CPU.
 *
 * The affine is the one a DICOM-to-NIfTI export writes for an axial series: voxel i runs to the
 * patient's left, j to posterior, k to superior (LPS axes). Its 3 x 3 part in the NIfTI RAS+
 * world is therefore diag(-sx, -sy, sz). HU follow textbook values (see `tissues.ts`). Gaussian
 * noise with a per-case standard deviation of 10..20 HU is added everywhere, and the result is
 * clamped to the int16 CT range [-1024, 3071].
 *
 * A case depends only on (seed, index): case 3 of seed 7 is the same bytes whether 4 or 40
 * cases are generated, so adding cases reruns only the new ones downstream.
 */
import type { Volume } from "../volume/volume.ts";
import { paintAnatomy } from "./anatomy.ts";
import { Canvas } from "./canvas.ts";
import { PHANTOM_LABELS } from "./labels.ts";
import { createRng, mixSeed, type Rng } from "./prng.ts";
import { valueNoise, type Field } from "./texture.ts";
import { TISSUE_LABEL, Tissue, isLung } from "./tissues.ts";
import { paintTumors, type TumorInfo, type TumorKind } from "./tumors.ts";

export interface ChestPhantomOptions {
  /** Data set seed; with `index` it fixes every random draw of the case. */
  seed: number;
  /** Case number within the data set, from 0. */
  index: number;
  /** Voxels along i, j, k; default [128, 128, 48]. */
  shape?: [number, number, number];
  /** Voxel size in mm along i, j, k; default [2.7, 2.7, 5]. */
  spacingMm?: [number, number, number];
  /**
   * Probability in [0, 1] that the case loses its heart or esophagus contour, default 0. The
   * label becomes background and the image stays, like radiotherapy contours that skip organs.
   */
  dropOrganProbability?: number;
}

export interface ChestPhantomCase {
  /** CT in HU, int16. */
  image: Volume<Int16Array>;
  /** Label map with the ids of `PHANTOM_LABELS`, uint8, same grid. */
  label: Volume<Uint8Array>;
  /** Tissue id per voxel (`Tissue` in tissues.ts), for tests of HU by material. */
  tissue: Uint8Array;
  tumors: TumorInfo[];
  /** Organ labels removed from this case's label map (empty unless contours were dropped). */
  unannotated: ("heart" | "esophagus")[];
  /** Standard deviation of the added Gaussian noise in HU. */
  noiseSdHu: number;
}

export const DEFAULT_PHANTOM_SHAPE: [number, number, number] = [128, 128, 48];
export const DEFAULT_PHANTOM_SPACING_MM: [number, number, number] = [2.7, 2.7, 5];

const TUMOR_KIND_CYCLE: TumorKind[] = ["peripheral", "mediastinal", "vascular"];

export function generateChestCase(options: ChestPhantomOptions): ChestPhantomCase {
  const shape = options.shape ?? DEFAULT_PHANTOM_SHAPE;
  const spacing = options.spacingMm ?? DEFAULT_PHANTOM_SPACING_MM;
  const rng = createRng(mixSeed(options.seed, options.index));
  const canvas = new Canvas(shape, spacing);

  const anatomy = paintAnatomy(canvas, rng);
  const tumors = paintTumors(canvas, rng, anatomy, tumorKinds(rng, options.index));

  const affine = scannerAffine(shape, spacing);
  const noiseSdHu = rng.uniform(10, 20);
  const image = renderImage(canvas, rng, noiseSdHu);
  const labels = renderLabels(canvas);

  const unannotated: ChestPhantomCase["unannotated"] = [];
  if (rng.next() < (options.dropOrganProbability ?? 0)) {
    const organ = rng.pick(["heart", "esophagus"] as const);
    dropLabel(labels, PHANTOM_LABELS[organ]);
    unannotated.push(organ);
  }

  return {
    image: { data: image, shape: [...shape], spacing: [...spacing], affine },
    label: { data: labels, shape: [...shape], spacing: [...spacing], affine: [...affine] },
    tissue: canvas.tissue,
    tumors,
    unannotated,
    noiseSdHu,
  };
}

/** Chooses the tumor kinds: the first cycles with the case index, then 0..2 peripheral ones. */
function tumorKinds(rng: Rng, index: number): TumorKind[] {
  const kinds = [TUMOR_KIND_CYCLE[index % TUMOR_KIND_CYCLE.length]];
  const extra = rng.integer(0, 2);
  for (let n = 0; n < extra; n++) kinds.push("peripheral");
  return kinds;
}

/** Row-major RAS+ affine for LPS voxel axes with the grid centre at the world origin. */
export function scannerAffine(shape: [number, number, number], spacing: [number, number, number]): number[] {
  const [sx, sy, sz] = spacing;
  const half = shape.map((n, axis) => ((n - 1) / 2) * spacing[axis]);
  return [-sx, 0, 0, half[0], 0, -sy, 0, half[1], 0, 0, sz, -half[2], 0, 0, 0, 1];
}

/**
 * HU = painted tissue value + lung texture + Gaussian noise, rounded and clamped to [-1024, 3071].
 * Lung texture: +-25 HU of smooth parenchyma plus thin bright tubes where two smooth fields are
 * both near zero, which look like small pulmonary vessels.
 */
function renderImage(canvas: Canvas, rng: Rng, noiseSdHu: number): Int16Array {
  const [nx, ny, nz] = canvas.shape;
  const halfExtent = canvas.shape.map((n, axis) => (n * canvas.spacing[axis]) / 2) as [number, number, number];
  const parenchyma = valueNoise(rng, halfExtent, 20);
  const vesselsA = valueNoise(rng, halfExtent, 14);
  const vesselsB = valueNoise(rng, halfExtent, 14);
  const image = new Int16Array(canvas.tissue.length);

  for (let k = 0; k < nz; k++) {
    const z = canvas.coordinate(2, k);
    for (let j = 0; j < ny; j++) {
      const y = canvas.coordinate(1, j);
      for (let i = 0; i < nx; i++) {
        const offset = canvas.offset(i, j, k);
        let hu = canvas.hu[offset];
        if (isLung(canvas.tissue[offset])) hu += lungTexture(parenchyma, vesselsA, vesselsB, canvas.coordinate(0, i), y, z);
        hu = rng.normal(hu, noiseSdHu);
        image[offset] = Math.round(Math.min(3071, Math.max(-1024, hu)));
      }
    }
  }
  return image;
}

function lungTexture(parenchyma: Field, vesselsA: Field, vesselsB: Field, x: number, y: number, z: number): number {
  const width = 0.07;
  const a = Math.abs(vesselsA(x, y, z));
  const b = Math.abs(vesselsB(x, y, z));
  const vessel = a < width && b < width ? (1 - a / width) * (1 - b / width) : 0;
  return 25 * parenchyma(x, y, z) + 800 * vessel;
}

function renderLabels(canvas: Canvas): Uint8Array {
  const labels = new Uint8Array(canvas.tissue.length);
  for (let n = 0; n < labels.length; n++) labels[n] = TISSUE_LABEL[canvas.tissue[n]];
  return labels;
}

function dropLabel(labels: Uint8Array, id: number): void {
  for (let n = 0; n < labels.length; n++) if (labels[n] === id) labels[n] = PHANTOM_LABELS.background;
}

export { Tissue };
