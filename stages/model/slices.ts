/**
 * Extraction of 2D inputs from a volume for the slice-wise U-Net.
 *
 * Image rows are y and columns are x of the volume (x-fastest data, shape [nx, ny, nz]); axial
 * slices are z. A 2.5D input has 2k + 1 channels: slices z - k .. z + k, where slices beyond the
 * volume repeat the first or last slice. Pixels outside the volume read as `padValue`.
 */
import type { Volume } from "../volume/volume.ts";

/** A square window of one axial slice: top-left pixel (y0, x0) and side length in pixels. */
export interface SliceWindow {
  z: number;
  y0: number;
  x0: number;
  height: number;
  width: number;
}

/**
 * Writes the window's pixels into `out` in [height, width, channels] order, starting at
 * `offset`, with channels = 2 * contextSlices + 1.
 */
export function extractImageWindow(
  image: Volume<Float32Array>,
  window: SliceWindow,
  contextSlices: number,
  out: Float32Array,
  offset = 0,
  padValue = 0,
): void {
  const [nx, ny, nz] = image.shape;
  const channels = 2 * contextSlices + 1;
  for (let c = 0; c < channels; c++) {
    const z = Math.min(nz - 1, Math.max(0, window.z + c - contextSlices));
    for (let row = 0; row < window.height; row++) {
      const y = window.y0 + row;
      for (let col = 0; col < window.width; col++) {
        const x = window.x0 + col;
        const inside = x >= 0 && x < nx && y >= 0 && y < ny;
        const target = offset + (row * window.width + col) * channels + c;
        out[target] = inside ? image.data[x + nx * (y + ny * z)] : padValue;
      }
    }
  }
}

/**
 * Writes the window's labels of slice `window.z` into `out` in [height, width] order; pixels
 * outside the volume are background (0).
 */
export function extractLabelWindow(
  label: Uint8Array,
  shape: [number, number, number],
  window: SliceWindow,
  out: Uint8Array | Int32Array,
  offset = 0,
): void {
  const [nx, ny] = shape;
  for (let row = 0; row < window.height; row++) {
    const y = window.y0 + row;
    for (let col = 0; col < window.width; col++) {
      const x = window.x0 + col;
      const inside = x >= 0 && x < nx && y >= 0 && y < ny;
      out[offset + row * window.width + col] = inside ? label[x + nx * (y + ny * window.z)] : 0;
    }
  }
}
