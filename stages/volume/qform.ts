/**
 * Conversions between an affine and the NIfTI-1 qform: a rotation quaternion (b, c, d), the
 * voxel size (pixdim 1..3 in mm), qfac = pixdim[0] (+1 or -1, the handedness of the voxel frame)
 * and an offset in mm. The formulas are those of the NIfTI-1 standard header `nifti1.h`
 * ("METHOD 2").
 */
import type { Affine } from "./affine.ts";

export interface Qform {
  quaternB: number;
  quaternC: number;
  quaternD: number;
  /** World position in mm of voxel (0, 0, 0). */
  offset: [number, number, number];
  /** Voxel size in mm along i, j, k. */
  pixdim: [number, number, number];
  /** +1 or -1; -1 flips the k axis (a left-handed voxel frame). */
  qfac: number;
}

/** Builds the voxel-to-world affine of a qform. */
export function qformToAffine(qform: Qform): Affine {
  const { quaternB: b, quaternC: c, quaternD: d, offset, pixdim } = qform;

  // The header stores b, c, d only; a follows from the unit norm. Rounding can push the sum
  // slightly over 1, which nifti1_io.c treats as a = 0 and a renormalised (b, c, d).
  let a = 1 - (b * b + c * c + d * d);
  let [qb, qc, qd] = [b, c, d];
  if (a < 1e-7) {
    const norm = Math.hypot(b, c, d);
    [qb, qc, qd] = [b / norm, c / norm, d / norm];
    a = 0;
  } else {
    a = Math.sqrt(a);
  }

  const rotation = [
    a * a + qb * qb - qc * qc - qd * qd, 2 * (qb * qc - a * qd), 2 * (qb * qd + a * qc),
    2 * (qb * qc + a * qd), a * a + qc * qc - qb * qb - qd * qd, 2 * (qc * qd - a * qb),
    2 * (qb * qd - a * qc), 2 * (qc * qd + a * qb), a * a + qd * qd - qc * qc - qb * qb,
  ];

  const qfac = qform.qfac < 0 ? -1 : 1;
  const scale = [pixdim[0], pixdim[1], pixdim[2] * qfac];
  const affine: Affine = new Array<number>(16).fill(0);
  for (let r = 0; r < 3; r++) {
    for (let col = 0; col < 3; col++) affine[4 * r + col] = rotation[3 * r + col] * scale[col];
    affine[4 * r + 3] = offset[r];
  }
  affine[15] = 1;
  return affine;
}

/**
 * Decomposes an affine into a qform, or returns null when its 3 x 3 part is not a rotation
 * times a diagonal scaling (a sheared affine), which a qform cannot represent.
 *
 * @param tolerance maximum |cosine| between two columns still taken as orthogonal.
 */
export function affineToQform(affine: Affine, tolerance = 1e-4): Qform | null {
  const columns = [0, 1, 2].map((c) => [affine[c], affine[4 + c], affine[8 + c]]);
  const pixdim = columns.map((column) => Math.hypot(...column)) as [number, number, number];
  if (pixdim.some((size) => !(size > 0))) return null;

  const unit = columns.map((column, c) => column.map((value) => value / pixdim[c]));
  const dot = (u: number[], v: number[]) => u[0] * v[0] + u[1] * v[1] + u[2] * v[2];
  if (
    Math.abs(dot(unit[0], unit[1])) > tolerance ||
    Math.abs(dot(unit[0], unit[2])) > tolerance ||
    Math.abs(dot(unit[1], unit[2])) > tolerance
  ) {
    return null;
  }

  // A left-handed frame gets qfac = -1 and its k column negated, so that the rest is a proper
  // rotation.
  const [u, v, w] = unit;
  const determinant = u[0] * (v[1] * w[2] - v[2] * w[1]) - v[0] * (u[1] * w[2] - u[2] * w[1]) +
    w[0] * (u[1] * v[2] - u[2] * v[1]);
  const qfac = determinant < 0 ? -1 : 1;
  const k = w.map((value) => value * qfac);

  const [quaternB, quaternC, quaternD] = rotationToQuaternion([
    u[0], v[0], k[0],
    u[1], v[1], k[1],
    u[2], v[2], k[2],
  ]);
  return {
    quaternB,
    quaternC,
    quaternD,
    offset: [affine[3], affine[7], affine[11]],
    pixdim,
    qfac,
  };
}

/** Returns (b, c, d) of the unit quaternion with a >= 0 for a row-major 3 x 3 rotation. */
function rotationToQuaternion(r: number[]): [number, number, number] {
  const [r11, r12, r13, r21, r22, r23, r31, r32, r33] = r;
  let a = r11 + r22 + r33 + 1;
  let b: number;
  let c: number;
  let d: number;

  // Branch on the largest of a, b, c, d to divide by a large number (as in nifti1_io.c).
  if (a > 0.5) {
    a = 0.5 * Math.sqrt(a);
    b = (0.25 * (r32 - r23)) / a;
    c = (0.25 * (r13 - r31)) / a;
    d = (0.25 * (r21 - r12)) / a;
  } else {
    const xd = 1 + r11 - (r22 + r33);
    const yd = 1 + r22 - (r11 + r33);
    const zd = 1 + r33 - (r11 + r22);
    if (xd > 1) {
      b = 0.5 * Math.sqrt(xd);
      c = (0.25 * (r12 + r21)) / b;
      d = (0.25 * (r13 + r31)) / b;
      a = (0.25 * (r32 - r23)) / b;
    } else if (yd > 1) {
      c = 0.5 * Math.sqrt(yd);
      b = (0.25 * (r12 + r21)) / c;
      d = (0.25 * (r23 + r32)) / c;
      a = (0.25 * (r13 - r31)) / c;
    } else {
      d = 0.5 * Math.sqrt(zd);
      b = (0.25 * (r13 + r31)) / d;
      c = (0.25 * (r23 + r32)) / d;
      a = (0.25 * (r21 - r12)) / d;
    }
    if (a < 0) {
      b = -b;
      c = -c;
      d = -d;
    }
  }
  return [b, c, d];
}
