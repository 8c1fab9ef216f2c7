/**
 * Places and paints lung tumors. Three kinds, so that a data set has easy and hard cases:
 * - `peripheral`: inside one lung, with lung all around it;
 * - `mediastinal`: grown from a lung voxel that borders the mediastinum (fat, heart, vessels,
 *   esophagus, airway wall), so the tumor touches it;
 * - `vascular`: grown from a lung voxel that borders a vessel, so tumor (20..60 HU) and blood
 *   (40..60 HU) touch with almost no contrast, the hardest boundary for a segmentation.
 * A tumor replaces only lung and mediastinal fat (and earlier tumors): it pushes against organs
 * and the chest wall but never overwrites them.
 */
import type { Anatomy } from "./anatomy.ts";
import type { Canvas } from "./canvas.ts";
import { PHANTOM_LABELS, type PhantomLabelName } from "./labels.ts";
import type { Rng } from "./prng.ts";
import type { Point, Shape } from "./shapes.ts";
import { valueNoise } from "./texture.ts";
import { TISSUE_LABEL, Tissue, isLung, isMediastinal } from "./tissues.ts";

export type TumorKind = "peripheral" | "mediastinal" | "vascular";

export interface TumorInfo {
  kind: TumorKind;
  /** Centre in patient mm (x left, y posterior, z superior; origin at the grid centre). */
  centreMm: Point;
  /** Nominal radius in mm; the lumpy surface lies within 0.56 to 1.56 times it. */
  radiusMm: number;
  /** Mean HU of the tumor before noise, in 20..60. */
  meanHu: number;
  /** Voxels this tumor painted (shared voxels of merged tumors count for each). */
  voxels: number;
  /** Labels of the voxels next to the tumor (6-neighbourhood), sorted. */
  touches: PhantomLabelName[];
}

const LABEL_NAMES = Object.fromEntries(Object.entries(PHANTOM_LABELS).map(([name, id]) => [id, name])) as Record<
  number,
  PhantomLabelName
>;

export function paintTumors(canvas: Canvas, rng: Rng, anatomy: Anatomy, kinds: TumorKind[]): TumorInfo[] {
  const tumors: TumorInfo[] = [];
  for (const [n, kind] of kinds.entries()) {
    const primary = n === 0;
    const placement =
      kind === "peripheral"
        ? placeInsideLung(canvas, rng, primary ? logUniform(rng, 8, 28) : logUniform(rng, 4, 10))
        : placeAtBorder(canvas, rng, anatomy, kind, logUniform(rng, 10, 30));
    if (!placement) continue;

    const shape = lumpyEllipsoid(rng, placement.centre, placement.radius);
    const meanHu = rng.uniform(20, 60);
    const texture = valueNoise(rng, [placement.radius * 2, placement.radius * 2, placement.radius * 2], 8);
    const [cx, cy, cz] = placement.centre;
    const voxels = canvas.paint(shape, Tissue.tumor, {
      hu: (x, y, z) => meanHu + 8 * texture(x - cx, y - cy, z - cz),
      replaces: (tissue) => isLung(tissue) || tissue === Tissue.mediastinalFat || tissue === Tissue.tumor,
    });

    tumors.push({
      kind,
      centreMm: placement.centre,
      radiusMm: placement.radius,
      meanHu,
      voxels,
      touches: neighbourLabels(canvas, shape),
    });
  }
  return tumors;
}

interface Placement {
  centre: Point;
  radius: number;
}

/** Finds a centre whose ball of 1.6 radii lies in one lung; halves the radius until one fits. */
function placeInsideLung(canvas: Canvas, rng: Rng, radius: number): Placement | undefined {
  const lungVoxels = collectVoxels(canvas, (offset) => isLung(canvas.tissue[offset]));
  if (lungVoxels.length === 0) return undefined;

  for (let r = radius; r >= 3; r /= 2) {
    for (let attempt = 0; attempt < 60; attempt++) {
      const centre = voxelCentre(canvas, rng.pick(lungVoxels));
      const side = tissueAt(canvas, centre);
      if (ballInTissue(canvas, centre, 1.6 * r, side)) return { centre, radius: r };
    }
  }
  return undefined;
}

/**
 * Places the centre 0.4 radii from a lung voxel that borders the mediastinum (or a vessel), moved towards
 * the lung's centre. The lumpy surface reaches at least 0.56 radii, so the border voxel becomes
 * tumor and the tumor touches the structure.
 */
function placeAtBorder(
  canvas: Canvas,
  rng: Rng,
  anatomy: Anatomy,
  kind: "mediastinal" | "vascular",
  radius: number,
): Placement | undefined {
  const borders = (tissue: number) => (kind === "vascular" ? tissue === Tissue.blood : isMediastinal(tissue));
  const borderVoxels = collectVoxels(
    canvas,
    (offset, i, j, k) => isLung(canvas.tissue[offset]) && hasNeighbour(canvas, i, j, k, borders),
  );
  if (borderVoxels.length === 0) return undefined;

  const start = voxelCentre(canvas, rng.pick(borderVoxels));
  const lungCentre = tissueAt(canvas, start) === Tissue.lungLeft ? anatomy.lungCentre.left : anatomy.lungCentre.right;
  const direction = lungCentre.map((value, axis) => value - start[axis]);
  const length = Math.hypot(...direction) || 1;
  const centre = start.map((value, axis) => value + (0.4 * radius * direction[axis]) / length) as Point;
  return { centre, radius };
}

/**
 * Builds an ellipsoid stretched by 0.8..1.2 per axis whose radius varies with direction by up to
 * +-30 % (three sine bumps), so the surface lies within 0.56 and 1.56 nominal radii.
 */
function lumpyEllipsoid(rng: Rng, centre: Point, radius: number): Shape {
  const stretch = [rng.uniform(0.8, 1.2), rng.uniform(0.8, 1.2), rng.uniform(0.8, 1.2)];
  const bumps = [0, 1, 2].map(() => {
    const axis = [rng.normal(0, 1), rng.normal(0, 1), rng.normal(0, 1)];
    const norm = Math.hypot(...axis) || 1;
    return { axis: axis.map((v) => v / norm), frequency: rng.uniform(2, 5), phase: rng.uniform(0, 2 * Math.PI) };
  });
  const reach = 1.56 * radius;

  return {
    bounds: [
      [centre[0] - reach, centre[0] + reach],
      [centre[1] - reach, centre[1] + reach],
      [centre[2] - reach, centre[2] + reach],
    ],
    contains(x, y, z) {
      const local = [(x - centre[0]) / stretch[0], (y - centre[1]) / stretch[1], (z - centre[2]) / stretch[2]];
      const distance = Math.hypot(local[0], local[1], local[2]);
      if (distance === 0) return true;
      let factor = 1;
      for (const bump of bumps) {
        const cosine = (local[0] * bump.axis[0] + local[1] * bump.axis[1] + local[2] * bump.axis[2]) / distance;
        factor += 0.1 * Math.sin(bump.frequency * cosine + bump.phase);
      }
      return distance <= radius * factor;
    },
  };
}

function logUniform(rng: Rng, min: number, max: number): number {
  return Math.exp(rng.uniform(Math.log(min), Math.log(max)));
}

function collectVoxels(
  canvas: Canvas,
  accept: (offset: number, i: number, j: number, k: number) => boolean,
): number[] {
  const [nx, ny, nz] = canvas.shape;
  const offsets: number[] = [];
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const offset = canvas.offset(i, j, k);
        if (accept(offset, i, j, k)) offsets.push(offset);
      }
    }
  }
  return offsets;
}

const NEIGHBOURS_6: Point[] = [
  [1, 0, 0],
  [-1, 0, 0],
  [0, 1, 0],
  [0, -1, 0],
  [0, 0, 1],
  [0, 0, -1],
];

function hasNeighbour(canvas: Canvas, i: number, j: number, k: number, test: (tissue: number) => boolean): boolean {
  const [nx, ny, nz] = canvas.shape;
  for (const [di, dj, dk] of NEIGHBOURS_6) {
    const a = i + di;
    const b = j + dj;
    const c = k + dk;
    if (a < 0 || b < 0 || c < 0 || a >= nx || b >= ny || c >= nz) continue;
    if (test(canvas.tissue[canvas.offset(a, b, c)])) return true;
  }
  return false;
}

/** Labels next to the tumor voxels that lie inside `shape`. */
function neighbourLabels(canvas: Canvas, shape: Shape): PhantomLabelName[] {
  const [nx, ny, nz] = canvas.shape;
  const found = new Set<PhantomLabelName>();
  const lo = shape.bounds.map((range, axis) => Math.max(0, canvas.indexOf(axis as 0 | 1 | 2, range[0])));
  const hi = shape.bounds.map((range, axis) =>
    Math.min(canvas.shape[axis] - 1, canvas.indexOf(axis as 0 | 1 | 2, range[1])),
  );

  for (let k = lo[2]; k <= hi[2]; k++) {
    for (let j = lo[1]; j <= hi[1]; j++) {
      for (let i = lo[0]; i <= hi[0]; i++) {
        if (canvas.tissue[canvas.offset(i, j, k)] !== Tissue.tumor) continue;
        if (!shape.contains(canvas.coordinate(0, i), canvas.coordinate(1, j), canvas.coordinate(2, k))) continue;
        for (const [di, dj, dk] of NEIGHBOURS_6) {
          const a = i + di;
          const b = j + dj;
          const c = k + dk;
          if (a < 0 || b < 0 || c < 0 || a >= nx || b >= ny || c >= nz) continue;
          const tissue = canvas.tissue[canvas.offset(a, b, c)];
          if (tissue !== Tissue.tumor) found.add(LABEL_NAMES[TISSUE_LABEL[tissue]]);
        }
      }
    }
  }
  return [...found].sort();
}

function voxelCentre(canvas: Canvas, offset: number): Point {
  const [nx, ny] = canvas.shape;
  const i = offset % nx;
  const j = Math.floor(offset / nx) % ny;
  const k = Math.floor(offset / (nx * ny));
  return [canvas.coordinate(0, i), canvas.coordinate(1, j), canvas.coordinate(2, k)];
}

/** Tissue at the voxel nearest to a point; -1 outside the grid. */
function tissueAt(canvas: Canvas, [x, y, z]: Point): number {
  const i = canvas.indexOf(0, x);
  const j = canvas.indexOf(1, y);
  const k = canvas.indexOf(2, z);
  if (i < 0 || j < 0 || k < 0 || i >= canvas.shape[0] || j >= canvas.shape[1] || k >= canvas.shape[2]) return -1;
  return canvas.tissue[canvas.offset(i, j, k)];
}

/** Returns whether the centre and 26 points at `radius` around it all have tissue `tissue`. */
function ballInTissue(canvas: Canvas, centre: Point, radius: number, tissue: number): boolean {
  for (let dx = -1; dx <= 1; dx++) {
    for (let dy = -1; dy <= 1; dy++) {
      for (let dz = -1; dz <= 1; dz++) {
        const norm = Math.hypot(dx, dy, dz) || 1;
        const point: Point = [
          centre[0] + (radius * dx) / norm,
          centre[1] + (radius * dy) / norm,
          centre[2] + (radius * dz) / norm,
        ];
        if (tissueAt(canvas, point) !== tissue) return false;
      }
    }
  }
  return true;
}
