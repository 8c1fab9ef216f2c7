/**
 * Builds NIfTI-1 and NIfTI-2 files byte by byte, independently of `writeNifti`, so that the
 * reader is tested on headers the writer never produces (qform only, pixdim only, big-endian,
 * NIfTI-2, odd datatypes).
 */

export interface FixtureHeader {
  shape: [number, number, number];
  /** NIfTI datatype code and bits per voxel. */
  datatypeCode: number;
  bitpix: number;
  /** Stored values, written with `datatypeCode`'s type (codes 2, 4, 8, 16, 64, 512). */
  values: number[];
  littleEndian?: boolean;
  /** pixdim[0..3]: qfac and the voxel size in mm. */
  pixdim?: [number, number, number, number];
  qformCode?: number;
  quatern?: [number, number, number];
  qoffset?: [number, number, number];
  sformCode?: number;
  /** srow_x, srow_y, srow_z as 12 numbers. */
  srows?: number[];
  sclSlope?: number;
  sclInter?: number;
  xyztUnits?: number;
  /** dim[0] and dim[4..7]; defaults to 3 and ones. */
  rank?: number;
  extraDims?: [number, number, number, number];
}

const VALUE_WRITERS: Record<number, (view: DataView, offset: number, value: number, le: boolean) => number> = {
  2: (view, offset, value) => (view.setUint8(offset, value), 1),
  4: (view, offset, value, le) => (view.setInt16(offset, value, le), 2),
  8: (view, offset, value, le) => (view.setInt32(offset, value, le), 4),
  16: (view, offset, value, le) => (view.setFloat32(offset, value, le), 4),
  64: (view, offset, value, le) => (view.setFloat64(offset, value, le), 8),
  512: (view, offset, value, le) => (view.setUint16(offset, value, le), 2),
};

function writeValues(view: DataView, start: number, header: FixtureHeader, le: boolean): void {
  const write = VALUE_WRITERS[header.datatypeCode];
  let offset = start;
  for (const value of header.values) offset += write(view, offset, value, le);
}

/** Returns a NIfTI-1 `.nii` file with its data at byte 352. */
export function buildNifti1(header: FixtureHeader): Uint8Array {
  const le = header.littleEndian ?? true;
  const dataBytes = (header.values.length * header.bitpix) / 8;
  const bytes = new Uint8Array(352 + dataBytes);
  const view = new DataView(bytes.buffer);

  view.setInt32(0, 348, le);
  const dims = [header.rank ?? 3, ...header.shape, ...(header.extraDims ?? [1, 1, 1, 1])];
  dims.forEach((dim, i) => view.setInt16(40 + 2 * i, dim, le));
  view.setInt16(70, header.datatypeCode, le);
  view.setInt16(72, header.bitpix, le);
  const pixdim = header.pixdim ?? [1, 1, 1, 1];
  pixdim.forEach((size, i) => view.setFloat32(76 + 4 * i, size, le));
  view.setFloat32(108, 352, le);
  view.setFloat32(112, header.sclSlope ?? 0, le);
  view.setFloat32(116, header.sclInter ?? 0, le);
  bytes[123] = header.xyztUnits ?? 2;
  view.setInt16(252, header.qformCode ?? 0, le);
  view.setInt16(254, header.sformCode ?? 0, le);
  (header.quatern ?? [0, 0, 0]).forEach((q, i) => view.setFloat32(256 + 4 * i, q, le));
  (header.qoffset ?? [0, 0, 0]).forEach((o, i) => view.setFloat32(268 + 4 * i, o, le));
  (header.srows ?? new Array(12).fill(0)).forEach((s, i) => view.setFloat32(280 + 4 * i, s, le));
  bytes.set([0x6e, 0x2b, 0x31, 0], 344);

  writeValues(view, 352, header, le);
  return bytes;
}

/** Returns a NIfTI-2 `.nii` file with its data at byte 544. */
export function buildNifti2(header: FixtureHeader): Uint8Array {
  const le = header.littleEndian ?? true;
  const dataBytes = (header.values.length * header.bitpix) / 8;
  const bytes = new Uint8Array(544 + dataBytes);
  const view = new DataView(bytes.buffer);

  view.setInt32(0, 540, le);
  bytes.set([0x6e, 0x2b, 0x32, 0, 0x0d, 0x0a, 0x1a, 0x0a], 4);
  view.setInt16(12, header.datatypeCode, le);
  view.setInt16(14, header.bitpix, le);
  const dims = [header.rank ?? 3, ...header.shape, ...(header.extraDims ?? [1, 1, 1, 1])];
  dims.forEach((dim, i) => view.setBigInt64(16 + 8 * i, BigInt(dim), le));
  const pixdim = header.pixdim ?? [1, 1, 1, 1];
  pixdim.forEach((size, i) => view.setFloat64(104 + 8 * i, size, le));
  view.setBigInt64(168, 544n, le);
  view.setFloat64(176, header.sclSlope ?? 0, le);
  view.setFloat64(184, header.sclInter ?? 0, le);
  view.setInt32(344, header.qformCode ?? 0, le);
  view.setInt32(348, header.sformCode ?? 0, le);
  (header.quatern ?? [0, 0, 0]).forEach((q, i) => view.setFloat64(352 + 8 * i, q, le));
  (header.qoffset ?? [0, 0, 0]).forEach((o, i) => view.setFloat64(376 + 8 * i, o, le));
  (header.srows ?? new Array(12).fill(0)).forEach((s, i) => view.setFloat64(400 + 8 * i, s, le));
  view.setInt32(500, header.xyztUnits ?? 2, le);

  writeValues(view, 544, header, le);
  return bytes;
}
