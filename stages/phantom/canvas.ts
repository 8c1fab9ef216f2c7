/**
 * The voxel grid that the phantom paints tissues on, in painter's order: a later shape
 * overwrites an earlier one unless the paint call restricts which tissues it may replace.
 *
 * Voxel (i, j, k) has its centre at patient mm x = (i - (nx - 1) / 2) * sx, likewise y and z
 * (x towards the patient's left, y posterior, z superior), so the grid is centred on the origin.
 */
import type { Shape } from "./shapes.ts";
import { TISSUE_HU, Tissue, type TissueId } from "./tissues.ts";

export interface PaintOptions {
  /** HU before texture and noise: a constant or a function of the voxel centre in mm. */
  hu?: number | ((x: number, y: number, z: number) => number);
  /** Only voxels whose current tissue passes this test are painted. */
  replaces?: (tissue: number) => boolean;
}

export class Canvas {
  readonly shape: [number, number, number];
  readonly spacing: [number, number, number];
  /** Tissue id per voxel, x fastest. */
  readonly tissue: Uint8Array;
  /** HU per voxel before texture and noise, x fastest. */
  readonly hu: Float32Array;

  constructor(shape: [number, number, number], spacing: [number, number, number]) {
    this.shape = shape;
    this.spacing = spacing;
    const count = shape[0] * shape[1] * shape[2];
    this.tissue = new Uint8Array(count).fill(Tissue.air);
    this.hu = new Float32Array(count).fill(TISSUE_HU[Tissue.air]);
  }

  /** Patient mm coordinate of voxel `index` along `axis`. */
  coordinate(axis: 0 | 1 | 2, index: number): number {
    return (index - (this.shape[axis] - 1) / 2) * this.spacing[axis];
  }

  /** Voxel index nearest to the patient mm coordinate `mm` along `axis` (may lie outside). */
  indexOf(axis: 0 | 1 | 2, mm: number): number {
    return Math.round(mm / this.spacing[axis] + (this.shape[axis] - 1) / 2);
  }

  /** Linear index of voxel (i, j, k). */
  offset(i: number, j: number, k: number): number {
    return i + this.shape[0] * (j + this.shape[1] * k);
  }

  /** Sets `tissue` (and its HU) on every voxel whose centre lies inside `shape`; returns the count. */
  paint(shape: Shape, tissue: TissueId, options: PaintOptions = {}): number {
    const hu = options.hu ?? TISSUE_HU[tissue];
    const [iRange, jRange, kRange] = ([0, 1, 2] as const).map((axis) => this.indexRange(axis, shape.bounds[axis]));
    let painted = 0;

    for (let k = kRange[0]; k <= kRange[1]; k++) {
      const z = this.coordinate(2, k);
      for (let j = jRange[0]; j <= jRange[1]; j++) {
        const y = this.coordinate(1, j);
        for (let i = iRange[0]; i <= iRange[1]; i++) {
          const x = this.coordinate(0, i);
          const offset = this.offset(i, j, k);
          if (options.replaces && !options.replaces(this.tissue[offset])) continue;
          if (!shape.contains(x, y, z)) continue;
          this.tissue[offset] = tissue;
          this.hu[offset] = typeof hu === "number" ? hu : hu(x, y, z);
          painted++;
        }
      }
    }
    return painted;
  }

  /** Index range [first, last] of voxel centres within [minMm, maxMm], clipped to the grid. */
  private indexRange(axis: 0 | 1 | 2, [minMm, maxMm]: [number, number]): [number, number] {
    const first = Math.max(0, Math.ceil(minMm / this.spacing[axis] + (this.shape[axis] - 1) / 2));
    const last = Math.min(this.shape[axis] - 1, Math.floor(maxMm / this.spacing[axis] + (this.shape[axis] - 1) / 2));
    return [first, last];
  }
}
