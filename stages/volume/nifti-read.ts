/**
 * Reads NIfTI-1 and NIfTI-2 single-file volumes (`.nii`, `.nii.gz`) into a `Volume`.
 *
 * nifti-reader-js parses the header fields. This module validates them, picks the affine by
 * the standard's precedence and views the voxel data without copying where it can.
 */
import * as nifti from "nifti-reader-js";
import { affineSpacing, type Affine } from "./affine.ts";
import { readFileBytes } from "./file-bytes.ts";
import { datatypeByCode, describeDatatypeCode, type DatatypeInfo } from "./nifti-datatypes.ts";
import { qformToAffine } from "./qform.ts";
import type { Volume, VoxelArray } from "./volume.ts";

type NiftiHeader = nifti.NIFTI1 | nifti.NIFTI2;

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Reads a 3-D NIfTI-1 or NIfTI-2 volume, gzip-compressed or not.
 *
 * - Datatypes: uint8, int16, int32, float32, float64. Others raise an error with their code.
 * - Scaling: a nonzero scl_slope other than (1, 0) gives float32 data `raw * slope + inter`
 *   (float64 data stays float64). A slope of 0 means no scaling, as the standard defines.
 * - Affine: sform when sform_code > 0, else qform when qform_code > 0, else the pixdim diagonal
 *   with zero offset (the standard's "method 1"). Lengths in m or µm are converted to mm.
 *   NOTE: nibabel's fallback for files without codes differs from method 1: it also flips x
 *   and centres the volume.
 * - Memory: the data array views the decompressed file buffer when the file is little-endian
 *   and the data offset is aligned, so an unscaled read needs about the raw size once.
 *
 * Errors name the file and the problem: truncated data, an unsupported datatype code, a
 * missing NIfTI magic, or more than one volume along dimensions 4 to 7.
 */
export async function readNifti(path: string): Promise<Volume> {
  const bytes = await readFileBytes(path);
  const header = parseHeader(path, bytes);

  const datatype = datatypeByCode(header.datatypeCode);
  if (!datatype) {
    throw new Error(
      `${path}: unsupported NIfTI datatype ${describeDatatypeCode(header.datatypeCode)}; ` +
        `convert it to uint8, int16, int32, float32 or float64`,
    );
  }

  const shape = readShape(path, header);
  const raw = viewVoxels(path, bytes, header, datatype, shape[0] * shape[1] * shape[2]);
  const data = applyScaling(raw, header.scl_slope, header.scl_inter);
  const affine = headerAffine(header, bytes);

  return {
    data,
    shape,
    spacing: affineSpacing(affine),
    affine,
    xformCodes: { sform: header.sform_code, qform: header.qform_code },
  };
}

/** Checks the header size and magic, then lets nifti-reader-js parse the fields. */
function parseHeader(path: string, bytes: Uint8Array): NiftiHeader {
  if (bytes.length < 348) {
    throw new Error(`${path}: truncated NIfTI file: ${bytes.length} bytes, but a header alone needs 348`);
  }

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const sizeofHeader = [view.getInt32(0, true), view.getInt32(0, false)];
  const magicOne = String.fromCharCode(...bytes.subarray(344, 348));
  const magicTwo = String.fromCharCode(...bytes.subarray(4, 8));

  if (sizeofHeader.includes(540) && magicTwo === "n+2\0") {
    if (bytes.length < 540) {
      throw new Error(`${path}: truncated NIfTI-2 file: ${bytes.length} bytes, but its header needs 540`);
    }
  } else if (sizeofHeader.includes(348) && magicOne === "ni1\0") {
    throw new Error(`${path}: NIfTI header/image pairs (.hdr/.img) are not supported; convert it to a .nii file`);
  } else if (!(sizeofHeader.includes(348) && magicOne === "n+1\0")) {
    throw new Error(
      `${path}: not a NIfTI file: no 'n+1' magic at byte 344 or 'n+2' magic at byte 4 ` +
        `(found ${JSON.stringify(magicOne)} and ${JSON.stringify(magicTwo)})`,
    );
  }

  // readFileBytes returns byteOffset 0, so the header starts at byte 0 of the ArrayBuffer.
  return nifti.readHeader(bytes.buffer as ArrayBuffer);
}

function readShape(path: string, header: NiftiHeader): [number, number, number] {
  const dims = header.dims;
  const rank = dims[0];
  if (!(rank >= 1 && rank <= 7)) {
    throw new Error(`${path}: invalid NIfTI dim[0] = ${rank}; it must be 1 to 7`);
  }

  const extent = (axis: number) => (axis <= rank ? dims[axis] : 1);
  const shape: [number, number, number] = [extent(1), extent(2), extent(3)];
  if (shape.some((n) => !(Number.isInteger(n) && n >= 1))) {
    throw new Error(`${path}: invalid NIfTI dimensions ${JSON.stringify(shape)}; each must be at least 1`);
  }

  for (let axis = 4; axis <= rank; axis++) {
    if (extent(axis) > 1) {
      throw new Error(
        `${path}: ${rank}-D NIfTI with ${extent(axis)} entries along dimension ${axis}; ` +
          `only 3-D volumes are supported, so split it into single volumes first`,
      );
    }
  }
  return shape;
}

/** Returns the voxel data as a typed array, viewing `bytes` without a copy when possible. */
function viewVoxels(
  path: string,
  bytes: Uint8Array,
  header: NiftiHeader,
  datatype: DatatypeInfo,
  voxelCount: number,
): VoxelArray {
  if (header.numBitsPerVoxel !== datatype.bytes * 8) {
    throw new Error(
      `${path}: NIfTI bitpix ${header.numBitsPerVoxel} does not match datatype ` +
        `${describeDatatypeCode(datatype.code)}, which needs ${datatype.bytes * 8}`,
    );
  }

  const offset = Math.round(header.vox_offset);
  const headerBytes = header instanceof nifti.NIFTI2 ? 540 : 348;
  if (!(offset >= headerBytes)) {
    throw new Error(`${path}: invalid NIfTI vox_offset ${header.vox_offset}; voxel data must start after the ${headerBytes}-byte header`);
  }
  const byteCount = voxelCount * datatype.bytes;
  if (offset + byteCount > bytes.length) {
    throw new Error(
      `${path}: truncated NIfTI file: the header declares ${byteCount} bytes of voxel data from ` +
        `byte ${offset}, but the file has ${bytes.length} bytes in total`,
    );
  }

  const start = bytes.byteOffset + offset;
  if (header.littleEndian === HOST_IS_LITTLE_ENDIAN && start % datatype.bytes === 0) {
    return new datatype.array(bytes.buffer as ArrayBuffer, start, voxelCount);
  }

  // Unaligned or foreign-endian data: copy it value by value.
  const view = new DataView(bytes.buffer, start, byteCount);
  const data = new datatype.array(voxelCount);
  const read = dataViewReader(view, datatype);
  const littleEndian = header.littleEndian;
  for (let i = 0; i < voxelCount; i++) data[i] = read(i * datatype.bytes, littleEndian);
  return data;
}

function dataViewReader(view: DataView, datatype: DatatypeInfo): (offset: number, littleEndian: boolean) => number {
  switch (datatype.name) {
    case "uint8":
      return (offset) => view.getUint8(offset);
    case "int16":
      return (offset, littleEndian) => view.getInt16(offset, littleEndian);
    case "int32":
      return (offset, littleEndian) => view.getInt32(offset, littleEndian);
    case "float32":
      return (offset, littleEndian) => view.getFloat32(offset, littleEndian);
    case "float64":
      return (offset, littleEndian) => view.getFloat64(offset, littleEndian);
  }
}

/** Applies scl_slope and scl_inter; a slope of 0 (or not finite) or (1, 0) leaves data as stored. */
function applyScaling(data: VoxelArray, slope: number, inter: number): VoxelArray {
  const intercept = Number.isFinite(inter) ? inter : 0;
  if (!Number.isFinite(slope) || slope === 0 || (slope === 1 && intercept === 0)) return data;

  const scaled = data instanceof Float64Array || data instanceof Float32Array ? data : new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) scaled[i] = data[i] * slope + intercept;
  return scaled;
}

/** Picks the affine by the NIfTI precedence: sform, then qform, then pixdim; lengths in mm. */
function headerAffine(header: NiftiHeader, bytes: Uint8Array): Affine {
  let affine: Affine;
  if (header.sform_code > 0) {
    affine = readSrows(header, bytes);
  } else if (header.qform_code > 0) {
    affine = qformToAffine({
      quaternB: header.quatern_b,
      quaternC: header.quatern_c,
      quaternD: header.quatern_d,
      offset: [header.qoffset_x, header.qoffset_y, header.qoffset_z],
      pixdim: [header.pixDims[1], header.pixDims[2], header.pixDims[3]],
      qfac: header.pixDims[0],
    });
  } else {
    const size = (axis: number) => Math.abs(header.pixDims[axis]) || 1;
    affine = [size(1), 0, 0, 0, 0, size(2), 0, 0, 0, 0, size(3), 0, 0, 0, 0, 1];
  }

  const toMm = spatialUnitInMm(header.xyzt_units);
  return toMm === 1 ? affine : affine.map((value, index) => (index < 12 ? value * toMm : value));
}

/** Reads srow_x, srow_y and srow_z: float32 at byte 280 in NIfTI-1, float64 at 400 in NIfTI-2. */
function readSrows(header: NiftiHeader, bytes: Uint8Array): Affine {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const isNifti2 = header instanceof nifti.NIFTI2;
  const affine: Affine = [];
  for (let i = 0; i < 12; i++) {
    affine.push(
      isNifti2
        ? view.getFloat64(400 + 8 * i, header.littleEndian)
        : view.getFloat32(280 + 4 * i, header.littleEndian),
    );
  }
  affine.push(0, 0, 0, 1);
  return affine;
}

/** Returns the size in mm of the header's spatial unit; an unknown unit (code 0) is taken as mm. */
function spatialUnitInMm(xyztUnits: number): number {
  switch (xyztUnits & 0x07) {
    case 1:
      return 1000;
    case 3:
      return 0.001;
    default:
      return 1;
  }
}
