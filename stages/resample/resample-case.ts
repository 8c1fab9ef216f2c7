/**
 * Resamples one case: the CT and its label map onto one RAS grid at the target spacing, an
 * optional crop, then the fixed HU window on the CT.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { cropVolume, type VoxelBox } from "../volume/crop.ts";
import { readNifti, writeNifti } from "../volume/nifti.ts";
import { axisCodes } from "../volume/orientation.ts";
import { gridForSpacing, resampleToGrid } from "../volume/resample.ts";
import type { Volume } from "../volume/volume.ts";
import { bodyBox, expandBox, labelBox } from "./crop-box.ts";
import { applyWindow } from "./window.ts";

export type CropMode = "none" | "body" | "lung";

export interface CaseSettings {
  /** Target voxel size in mm along the RAS axes. */
  spacingMm: [number, number, number];
  /** HU window [low, high] that maps to [0, 1]. */
  windowHu: [number, number];
  crop: CropMode;
  cropMarginMm: number;
  /** Voxels above this HU belong to the body mask of `crop: body`. */
  bodyThresholdHu: number;
  /** Label values whose bounding box is the `crop: lung` box. */
  lungValues: ReadonlySet<number>;
  /** Label values of the tumor, for a warning when the lung crop cuts tumor voxels. */
  tumorValues: ReadonlySet<number>;
}

/** Per-case facts written to `<id>/resample.json` and into the case's entry in cases.json. */
export interface CaseRecord {
  /** Output grid: voxel counts and row-major 4 x 4 affine (RAS+ mm). */
  shape: [number, number, number];
  affine: number[];
  /** The input grid, to map results back with `resampleToGrid`. */
  original: { shape: [number, number, number]; affine: number[]; spacing_mm: number[]; orientation: string };
  /** Crop box on the uncropped resampled grid, when a crop was applied. */
  bbox?: { mode: "body" | "lung"; start: number[]; shape: number[]; grid_shape: number[] };
  /** Warnings about this case, also logged. */
  warnings: string[];
}

/**
 * Reads `imagePath` and `labelPath`, resamples both, crops and windows, and writes
 * `image.nii.gz` (float32), `label.nii.gz` (source label type) and `resample.json` into `dir`.
 * The label map is resampled onto the image's target grid, so both share one affine.
 */
export async function resampleCase(imagePath: string, labelPath: string, settings: CaseSettings, dir: string): Promise<CaseRecord> {
  const warnings: string[] = [];
  const { image: resampledImage, grid, original } = await readResampledImage(imagePath, settings.spacingMm);
  let image = resampledImage;
  let label = resampleToGrid(await readNifti(labelPath), grid.shape, grid.affine, "nearest", { fill: 0 });

  let bbox: CaseRecord["bbox"];
  const crop = chooseCropBox(image, label, settings, warnings);
  if (crop) {
    image = cropVolume(image, crop.box);
    label = cropVolume(label, crop.box);
    bbox = { mode: crop.mode, start: crop.box.start, shape: crop.box.shape, grid_shape: grid.shape };
  }

  applyWindow(image.data as Float32Array, settings.windowHu);
  await writeNifti(join(dir, "image.nii.gz"), image, { datatype: "float32" });
  await writeNifti(join(dir, "label.nii.gz"), label);

  const record: CaseRecord = { shape: image.shape, affine: image.affine, original, ...(bbox ? { bbox } : {}), warnings };
  await writeFile(join(dir, "resample.json"), `${JSON.stringify(record, null, 2)}\n`);
  return record;
}

/**
 * Reads the CT and resamples it with trilinear interpolation onto the RAS grid of the target
 * spacing. The source volume goes out of scope on return, so its memory can be reclaimed
 * before the label map is read.
 */
async function readResampledImage(path: string, spacingMm: [number, number, number]) {
  const source = await readNifti(path);
  const original: CaseRecord["original"] = {
    shape: source.shape,
    affine: source.affine,
    spacing_mm: source.spacing.map((size) => Math.round(size * 1e6) / 1e6),
    orientation: axisCodes(source.affine),
  };

  const grid = gridForSpacing(source, spacingMm);
  // Air (-1024 HU) for voxels outside the scan, which the centred grid only has at its edges.
  const image = resampleToGrid(source, grid.shape, grid.affine, "linear", { fill: -1024 });
  return { image, grid, original };
}

/** Returns the crop box for the settings, or null for `crop: none`. */
function chooseCropBox(
  image: Volume,
  label: Volume,
  settings: CaseSettings,
  warnings: string[],
): { mode: "body" | "lung"; box: VoxelBox } | null {
  if (settings.crop === "none") return null;

  if (settings.crop === "lung") {
    const lungs = labelBox(label, settings.lungValues);
    if (lungs) {
      const box = expandBox(lungs, settings.cropMarginMm, label.spacing, label.shape);
      const cut = countOutside(label, settings.tumorValues, box);
      if (cut > 0) warnings.push(`lung crop cuts ${cut} tumor voxels outside the lung box; raise crop_margin_mm`);
      return { mode: "lung", box };
    }
    warnings.push("no lung label voxels, so the crop falls back to the body box");
  }

  const body = bodyBox(image, settings.bodyThresholdHu);
  if (!body) {
    warnings.push(`no voxel above ${settings.bodyThresholdHu} HU, so the case is not cropped`);
    return null;
  }
  return { mode: "body", box: expandBox(body, settings.cropMarginMm, image.spacing, image.shape) };
}

/** Counts voxels whose value is in `values` and that lie outside `box`. */
function countOutside(label: Volume, values: ReadonlySet<number>, box: VoxelBox): number {
  const [nx, ny, nz] = label.shape;
  let count = 0;
  let index = 0;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, index++) {
        if (!values.has(label.data[index])) continue;
        const inside =
          i >= box.start[0] && i < box.start[0] + box.shape[0] &&
          j >= box.start[1] && j < box.start[1] + box.shape[1] &&
          k >= box.start[2] && k < box.start[2] + box.shape[2];
        if (!inside) count++;
      }
    }
  }
  return count;
}
