/**
 * Writes a `Volume` as a single-file NIfTI-1 volume: the 348-byte header, 4 zero extension
 * bytes and the voxel data from byte 352, little-endian, gzip-compressed for `.gz` paths.
 */
import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { affineSpacing, type Affine } from "./affine.ts";
import { datatypeByName, datatypeOfArray, type DatatypeInfo, type NiftiDatatype } from "./nifti-datatypes.ts";
import { affineToQform } from "./qform.ts";
import type { Volume, VoxelArray } from "./volume.ts";

export interface WriteNiftiOptions {
  /** Stored datatype; defaults to the type of `volume.data`. */
  datatype?: NiftiDatatype;
  /** scl_slope: stored values are `(value - sclInter) / sclSlope`. Must be finite and nonzero. */
  sclSlope?: number;
  /** scl_inter in the volume's units; 0 when only a slope is given. */
  sclInter?: number;
}

const HEADER_BYTES = 348;
const VOX_OFFSET = 352;
/** gzip level 1, the fastest; nibabel 5 writes .nii.gz with level 1 too. */
const GZIP_LEVEL = 1;
const NIFTI_UNITS_MM = 2;
const XFORM_SCANNER = 1;

/**
 * Writes `volume` to `path` (`.nii` or `.nii.gz`), replacing it atomically.
 *
 * Both sform and qform describe `volume.affine`, with the transform codes of `volume.xformCodes`
 * where they are above 0 and 1 (scanner) otherwise. A sheared affine, which a qform cannot
 * represent, gets qform_code 0 and keeps only the sform. Converting to an integer datatype
 * rounds to the nearest integer and throws when a value is not finite or out of range.
 */
export async function writeNifti(path: string, volume: Volume, options: WriteNiftiOptions = {}): Promise<void> {
  validateVolume(path, volume);
  const datatype = options.datatype ? datatypeByName(options.datatype) : datatypeOfArray(volume.data);
  const scaling = validateScaling(path, options);

  const stored = encodeVoxels(path, volume.data, datatype, scaling);
  const header = encodeHeader(volume, datatype, scaling);
  const dataBytes = new Uint8Array(stored.buffer, stored.byteOffset, stored.byteLength);

  const temporaryPath = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    const chunks = Readable.from([header, dataBytes], { objectMode: false });
    if (path.endsWith(".gz")) {
      await pipeline(chunks, createGzip({ level: GZIP_LEVEL }), createWriteStream(temporaryPath));
    } else {
      await pipeline(chunks, createWriteStream(temporaryPath));
    }
    await rename(temporaryPath, path);
  } catch (error) {
    await rm(temporaryPath, { force: true });
    throw error;
  }
}

function validateVolume(path: string, volume: Volume): void {
  const [nx, ny, nz] = volume.shape;
  if (![nx, ny, nz].every((n) => Number.isInteger(n) && n >= 1 && n <= 32767)) {
    throw new Error(`${path}: cannot write shape ${JSON.stringify(volume.shape)}; NIfTI-1 needs 1 to 32767 per axis`);
  }
  if (volume.data.length !== nx * ny * nz) {
    throw new Error(`${path}: data has ${volume.data.length} voxels but shape ${JSON.stringify(volume.shape)} needs ${nx * ny * nz}`);
  }

  const affine = volume.affine;
  const lastRowOk = affine[12] === 0 && affine[13] === 0 && affine[14] === 0 && affine[15] === 1;
  if (affine.length !== 16 || !affine.every(Number.isFinite) || !lastRowOk) {
    throw new Error(`${path}: invalid affine ${JSON.stringify(affine)}; expected 16 finite numbers ending in 0, 0, 0, 1`);
  }
}

interface Scaling {
  slope: number;
  inter: number;
}

function validateScaling(path: string, options: WriteNiftiOptions): Scaling | null {
  if (options.sclSlope === undefined && options.sclInter === undefined) return null;

  const slope = options.sclSlope ?? 1;
  const inter = options.sclInter ?? 0;
  if (!Number.isFinite(slope) || slope === 0 || !Number.isFinite(inter)) {
    throw new Error(`${path}: invalid scaling sclSlope=${slope}, sclInter=${inter}; the slope must be finite and nonzero`);
  }
  return { slope, inter };
}

/** Returns the stored voxel values: `data` itself when no conversion is needed. */
function encodeVoxels(path: string, data: VoxelArray, datatype: DatatypeInfo, scaling: Scaling | null): VoxelArray {
  if (!scaling && data instanceof datatype.array) return data;

  const slope = scaling?.slope ?? 1;
  const inter = scaling?.inter ?? 0;
  const stored = new datatype.array(data.length);
  const range = datatype.range;
  for (let i = 0; i < data.length; i++) {
    let value = (data[i] - inter) / slope;
    if (range) {
      value = Math.round(value);
      if (!(value >= range[0] && value <= range[1])) {
        throw new Error(
          `${path}: voxel ${i} value ${data[i]} stores as ${value}, outside the ${datatype.name} range ` +
            `[${range[0]}, ${range[1]}]; choose a wider datatype or another sclSlope/sclInter`,
        );
      }
    }
    stored[i] = value;
  }
  return stored;
}

function encodeHeader(volume: Volume, datatype: DatatypeInfo, scaling: Scaling | null): Uint8Array {
  const bytes = new Uint8Array(VOX_OFFSET);
  const view = new DataView(bytes.buffer);
  const affine: Affine = volume.affine;
  const qform = affineToQform(affine);
  const codes = volume.xformCodes;
  const sformCode = codes && codes.sform > 0 ? codes.sform : XFORM_SCANNER;
  let qformCode = 0;
  if (qform) qformCode = codes && codes.qform > 0 ? codes.qform : XFORM_SCANNER;

  view.setInt32(0, HEADER_BYTES, true);
  bytes[38] = "r".charCodeAt(0);
  const dims = [3, ...volume.shape, 1, 1, 1, 1];
  dims.forEach((dim, i) => view.setInt16(40 + 2 * i, dim, true));
  view.setInt16(70, datatype.code, true);
  view.setInt16(72, datatype.bytes * 8, true);

  const pixdim = [qform?.qfac ?? 1, ...(qform?.pixdim ?? affineSpacing(affine)), 1, 1, 1, 1];
  pixdim.forEach((size, i) => view.setFloat32(76 + 4 * i, size, true));
  view.setFloat32(108, VOX_OFFSET, true);
  view.setFloat32(112, scaling?.slope ?? 1, true);
  view.setFloat32(116, scaling?.inter ?? 0, true);
  bytes[123] = NIFTI_UNITS_MM;
  writeString(bytes, 148, 80, "segsweep");

  view.setInt16(252, qformCode, true);
  view.setInt16(254, sformCode, true);
  if (qform) {
    view.setFloat32(256, qform.quaternB, true);
    view.setFloat32(260, qform.quaternC, true);
    view.setFloat32(264, qform.quaternD, true);
    qform.offset.forEach((value, i) => view.setFloat32(268 + 4 * i, value, true));
  }
  for (let i = 0; i < 12; i++) view.setFloat32(280 + 4 * i, affine[i], true);

  writeString(bytes, 344, 4, "n+1\0");
  return bytes;
}

function writeString(bytes: Uint8Array, offset: number, maxLength: number, text: string): void {
  for (let i = 0; i < Math.min(text.length, maxLength); i++) bytes[offset + i] = text.charCodeAt(i);
}
