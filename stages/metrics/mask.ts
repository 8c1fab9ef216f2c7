/**
 * Binary masks as the metrics read them, and the helpers every metric shares.
 *
 * Axes: `data` is stored x-fastest like `Volume`: index = x + nx * (y + ny * z) with
 * `shape = [nx, ny, nz]`. A voxel belongs to the mask when its value is not 0.
 */

/** A binary mask on a voxel grid; `spacing` is the voxel size in mm along x, y, z. */
export interface BinaryMask {
  data: Uint8Array;
  shape: [number, number, number];
  spacing: [number, number, number];
}

/** Inclusive voxel index ranges `[min, max]` along x, y, z. */
export interface BoundingBox {
  min: [number, number, number];
  max: [number, number, number];
}

/**
 * Throws unless both masks have the same shape and spacing (within 1e-4 mm) and data of the
 * matching length, because every metric here compares voxel by voxel.
 */
export function assertSameGrid(reference: BinaryMask, prediction: BinaryMask): void {
  for (const [name, mask] of [["reference", reference], ["prediction", prediction]] as const) {
    const voxels = mask.shape[0] * mask.shape[1] * mask.shape[2];
    if (mask.data.length !== voxels) {
      throw new Error(
        `${name} mask has ${mask.data.length} voxels but shape [${mask.shape}] needs ${voxels}; ` +
          `pass data stored x-fastest with shape [nx, ny, nz]`,
      );
    }
  }

  const sameShape = reference.shape.every((n, axis) => n === prediction.shape[axis]);
  const sameSpacing = reference.spacing.every((s, axis) => Math.abs(s - prediction.spacing[axis]) < 1e-4);
  if (!sameShape || !sameSpacing) {
    throw new Error(
      `reference grid (shape [${reference.shape}], spacing [${reference.spacing}] mm) differs from ` +
        `prediction grid (shape [${prediction.shape}], spacing [${prediction.spacing}] mm); ` +
        `resample the prediction onto the reference grid first`,
    );
  }
}

/** Returns the number of nonzero voxels. */
export function countForeground(data: Uint8Array): number {
  let count = 0;
  for (let i = 0; i < data.length; i++) if (data[i] !== 0) count++;
  return count;
}

/** Returns the volume of one voxel in mL (1 mL = 1000 mm^3). */
export function voxelVolumeMl(spacing: [number, number, number]): number {
  return (spacing[0] * spacing[1] * spacing[2]) / 1000;
}

/** Returns the mask's volume in mL: foreground voxels times the voxel volume. */
export function maskVolumeMl(mask: BinaryMask): number {
  return countForeground(mask.data) * voxelVolumeMl(mask.spacing);
}

/** Returns the smallest box that contains the nonzero voxels of all masks, or null if all are empty. */
export function foregroundBoundingBox(shape: [number, number, number], masks: Uint8Array[]): BoundingBox | null {
  const [nx, ny] = shape;
  const min: [number, number, number] = [Infinity, Infinity, Infinity];
  const max: [number, number, number] = [-1, -1, -1];

  for (const data of masks) {
    for (let i = 0; i < data.length; i++) {
      if (data[i] === 0) continue;
      const x = i % nx;
      const y = Math.floor(i / nx) % ny;
      const z = Math.floor(i / (nx * ny));
      if (x < min[0]) min[0] = x;
      if (y < min[1]) min[1] = y;
      if (z < min[2]) min[2] = z;
      if (x > max[0]) max[0] = x;
      if (y > max[1]) max[1] = y;
      if (z > max[2]) max[2] = z;
    }
  }

  return max[0] < 0 ? null : { min, max };
}

/** Copies the voxels inside `box` into a new x-fastest array; returns it with its shape. */
export function cropToBox(
  data: Uint8Array,
  shape: [number, number, number],
  box: BoundingBox,
): { data: Uint8Array; shape: [number, number, number] } {
  const [nx, ny] = shape;
  const cropShape: [number, number, number] = [
    box.max[0] - box.min[0] + 1,
    box.max[1] - box.min[1] + 1,
    box.max[2] - box.min[2] + 1,
  ];
  const [cx, cy, cz] = cropShape;
  const cropped = new Uint8Array(cx * cy * cz);

  for (let z = 0; z < cz; z++) {
    for (let y = 0; y < cy; y++) {
      const from = box.min[0] + nx * (box.min[1] + y + ny * (box.min[2] + z));
      cropped.set(data.subarray(from, from + cx), cx * (y + cy * z));
    }
  }
  return { data: cropped, shape: cropShape };
}
