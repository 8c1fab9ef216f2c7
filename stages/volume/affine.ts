/**
 * 4 x 4 affine matrix helpers for voxel-to-world transforms.
 *
 * Matrices are row-major arrays of 16 numbers, as in `Volume.affine`: element (row r, column c)
 * is `m[4 * r + c]`. Column c (c < 3) is the world step in mm of one voxel along axis c, and
 * column 3 is the world position of voxel (0, 0, 0).
 */

export type Affine = number[];

export function identityAffine(): Affine {
  return [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
}

/** Returns `a * b` (apply `b` first, then `a`). */
export function multiplyAffines(a: Affine, b: Affine): Affine {
  const product = new Array<number>(16).fill(0);
  for (let r = 0; r < 4; r++) {
    for (let c = 0; c < 4; c++) {
      let sum = 0;
      for (let k = 0; k < 4; k++) sum += a[4 * r + k] * b[4 * k + c];
      product[4 * r + c] = sum;
    }
  }
  return product;
}

/** Inverts an affine whose last row is (0, 0, 0, 1); throws when its 3 x 3 part is singular. */
export function invertAffine(m: Affine): Affine {
  const [a, b, c, , d, e, f, , g, h, i] = m;
  const cofactor00 = e * i - f * h;
  const cofactor01 = f * g - d * i;
  const cofactor02 = d * h - e * g;
  const determinant = a * cofactor00 + b * cofactor01 + c * cofactor02;
  if (!Number.isFinite(determinant) || determinant === 0) {
    throw new Error(`affine is singular (determinant ${determinant}): ${JSON.stringify(m)}`);
  }

  const r = [
    cofactor00, c * h - b * i, b * f - c * e,
    cofactor01, a * i - c * g, c * d - a * f,
    cofactor02, b * g - a * h, a * e - b * d,
  ].map((value) => value / determinant);

  const [tx, ty, tz] = [m[3], m[7], m[11]];
  return [
    r[0], r[1], r[2], -(r[0] * tx + r[1] * ty + r[2] * tz),
    r[3], r[4], r[5], -(r[3] * tx + r[4] * ty + r[5] * tz),
    r[6], r[7], r[8], -(r[6] * tx + r[7] * ty + r[8] * tz),
    0, 0, 0, 1,
  ];
}

/** Maps a point (voxel indices or mm) through the affine. */
export function applyAffine(m: Affine, point: [number, number, number]): [number, number, number] {
  const [x, y, z] = point;
  return [
    m[0] * x + m[1] * y + m[2] * z + m[3],
    m[4] * x + m[5] * y + m[6] * z + m[7],
    m[8] * x + m[9] * y + m[10] * z + m[11],
  ];
}

/** Returns the voxel size in mm along each voxel axis: the norms of the first three columns. */
export function affineSpacing(m: Affine): [number, number, number] {
  const norm = (c: number) => Math.hypot(m[c], m[4 + c], m[8 + c]);
  return [norm(0), norm(1), norm(2)];
}

/** Returns the determinant of the 3 x 3 part: negative for a left-handed voxel frame. */
export function affineDeterminant(m: Affine): number {
  return (
    m[0] * (m[5] * m[10] - m[6] * m[9]) -
    m[1] * (m[4] * m[10] - m[6] * m[8]) +
    m[2] * (m[4] * m[9] - m[5] * m[8])
  );
}
