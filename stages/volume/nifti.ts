/**
 * NIfTI volume input and output: `readNifti` reads NIfTI-1 and NIfTI-2 (`.nii`, `.nii.gz`),
 * `writeNifti` writes NIfTI-1. See each function for datatypes, scaling and the affine.
 */
export { readNifti } from "./nifti-read.ts";
export { writeNifti, type WriteNiftiOptions } from "./nifti-write.ts";
export type { NiftiDatatype } from "./nifti-datatypes.ts";
