/**
 * Renders one axial slice of a CT volume as a PNG (via pngjs) with the reference tumor outlined
 * and a predicted tumor filled on top.
 *
 * Display orientation: radiological, meaning the patient's right on the image's left and anterior
 * at the top. Columns are flipped when voxel axis i points towards +x (right in RAS+) and rows
 * when axis j points towards +y (anterior), judged from the signs of the affine's diagonal.
 */
import { PNG } from "pngjs";
import type { Volume } from "../volume/volume.ts";

/** Minimum PNG width in pixels; small grids are enlarged by an integer factor up to 8. */
const MIN_WIDTH_PX = 240;
const MAX_SCALE = 8;
const REFERENCE_RGB = [0, 230, 0] as const;
const PREDICTION_RGB = [255, 0, 200] as const;
const PREDICTION_ALPHA = 0.45;

/** Finds the axial slice k with the most voxels whose value is in `values`; -1 when there is none. */
export function largestSliceIndex(label: Volume, values: readonly number[]): number {
  const selected = new Set(values);
  const [nx, ny, nz] = label.shape;
  const sliceSize = nx * ny;
  let best = -1;
  let bestCount = 0;
  for (let k = 0; k < nz; k++) {
    let count = 0;
    for (let i = k * sliceSize; i < (k + 1) * sliceSize; i++) if (selected.has(label.data[i])) count++;
    if (count > bestCount) {
      best = k;
      bestCount = count;
    }
  }
  return best;
}

/** Returns the mask (1 or 0, length nx * ny) of the voxels of slice k whose value is in `values`. */
export function sliceMask(label: Volume, k: number, values: readonly number[]): Uint8Array {
  const selected = new Set(values);
  const sliceSize = label.shape[0] * label.shape[1];
  const mask = new Uint8Array(sliceSize);
  for (let i = 0; i < sliceSize; i++) mask[i] = selected.has(label.data[k * sliceSize + i]) ? 1 : 0;
  return mask;
}

/** Mask pixels with a 4-neighbour outside the mask or on the slice edge. */
function boundary(mask: Uint8Array, nx: number, ny: number): Uint8Array {
  const edge = new Uint8Array(mask.length);
  for (let y = 0; y < ny; y++) {
    for (let x = 0; x < nx; x++) {
      const i = x + nx * y;
      if (!mask[i]) continue;
      const outside =
        x === 0 || y === 0 || x === nx - 1 || y === ny - 1 || !mask[i - 1] || !mask[i + 1] || !mask[i - nx] || !mask[i + nx];
      if (outside) edge[i] = 1;
    }
  }
  return edge;
}

/**
 * Encodes slice k of `ct` as a PNG with grey levels stretched to the slice's minimum and maximum.
 * The `reference` outline is drawn in green and the `prediction` filled in magenta. Both masks
 * have length nx * ny, as from `sliceMask`, and either may be omitted.
 */
export function renderSlicePng(ct: Volume, k: number, reference?: Uint8Array, prediction?: Uint8Array): Buffer {
  const [nx, ny] = ct.shape;
  const sliceSize = nx * ny;
  const offset = k * sliceSize;
  let low = Infinity;
  let high = -Infinity;
  for (let i = 0; i < sliceSize; i++) {
    low = Math.min(low, ct.data[offset + i]);
    high = Math.max(high, ct.data[offset + i]);
  }
  const range = high > low ? high - low : 1;
  const outline = reference ? boundary(reference, nx, ny) : undefined;

  const scale = Math.min(MAX_SCALE, Math.max(1, Math.ceil(MIN_WIDTH_PX / nx)));
  const flipColumns = ct.affine[0] > 0;
  const flipRows = ct.affine[5] > 0;
  const png = new PNG({ width: nx * scale, height: ny * scale });

  for (let row = 0; row < ny * scale; row++) {
    const y = flipRows ? ny - 1 - Math.floor(row / scale) : Math.floor(row / scale);
    for (let column = 0; column < nx * scale; column++) {
      const x = flipColumns ? nx - 1 - Math.floor(column / scale) : Math.floor(column / scale);
      const i = x + nx * y;
      const grey = (255 * (ct.data[offset + i] - low)) / range;
      let rgb = [grey, grey, grey];
      if (prediction?.[i]) rgb = rgb.map((c, n) => (1 - PREDICTION_ALPHA) * c + PREDICTION_ALPHA * PREDICTION_RGB[n]);
      if (outline?.[i]) rgb = [...REFERENCE_RGB];

      const pixel = 4 * (column + nx * scale * row);
      png.data[pixel] = Math.round(rgb[0]);
      png.data[pixel + 1] = Math.round(rgb[1]);
      png.data[pixel + 2] = Math.round(rgb[2]);
      png.data[pixel + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}
