/**
 * The NIfTI datatypes that segsweep reads and writes, with their header codes (`nifti1.h`
 * DT_UINT8 = 2, DT_INT16 = 4, DT_INT32 = 8, DT_FLOAT32 = 16, DT_FLOAT64 = 64).
 */
import type { VoxelArray } from "./volume.ts";

export type NiftiDatatype = "uint8" | "int16" | "int32" | "float32" | "float64";

type VoxelArrayConstructor =
  | Uint8ArrayConstructor
  | Int16ArrayConstructor
  | Int32ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor;

export interface DatatypeInfo {
  name: NiftiDatatype;
  code: number;
  bytes: number;
  array: VoxelArrayConstructor;
  /** Representable range for integer types; null for floating point. */
  range: [number, number] | null;
}

export const DATATYPES: readonly DatatypeInfo[] = [
  { name: "uint8", code: 2, bytes: 1, array: Uint8Array, range: [0, 255] },
  { name: "int16", code: 4, bytes: 2, array: Int16Array, range: [-32768, 32767] },
  { name: "int32", code: 8, bytes: 4, array: Int32Array, range: [-2147483648, 2147483647] },
  { name: "float32", code: 16, bytes: 4, array: Float32Array, range: null },
  { name: "float64", code: 64, bytes: 8, array: Float64Array, range: null },
];

/** Names of other NIfTI datatype codes, so that errors can name what a file contains. */
const OTHER_CODE_NAMES: Record<number, string> = {
  1: "binary",
  32: "complex64",
  128: "rgb24",
  256: "int8",
  512: "uint16",
  768: "uint32",
  1024: "int64",
  1280: "uint64",
  1536: "float128",
  1792: "complex128",
  2048: "complex256",
  2304: "rgba32",
};

export function datatypeByCode(code: number): DatatypeInfo | undefined {
  return DATATYPES.find((info) => info.code === code);
}

export function datatypeByName(name: NiftiDatatype): DatatypeInfo {
  const info = DATATYPES.find((entry) => entry.name === name);
  if (!info) {
    const names = DATATYPES.map((entry) => entry.name).join(", ");
    throw new Error(`unsupported NIfTI datatype '${name}'; use one of ${names}`);
  }
  return info;
}

/** Returns the datatype whose typed array class `data` is an instance of. */
export function datatypeOfArray(data: VoxelArray): DatatypeInfo {
  const info = DATATYPES.find((entry) => data instanceof entry.array);
  if (!info) throw new Error(`unsupported voxel array type ${Object.prototype.toString.call(data)}`);
  return info;
}

/** Describes a datatype code for an error message, for example `512 (uint16)`. */
export function describeDatatypeCode(code: number): string {
  const name = datatypeByCode(code)?.name ?? OTHER_CODE_NAMES[code] ?? "unknown";
  return `${code} (${name})`;
}
