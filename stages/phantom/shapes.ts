/**
 * Solid shapes in patient millimetres for painting the phantom. Coordinates: x towards the
 * patient's left, y towards posterior, z towards superior (DICOM LPS), origin at the grid centre.
 */
export type Point = [number, number, number];

/** Axis-aligned bounds in mm: [min, max] per axis. */
export type Bounds = [[number, number], [number, number], [number, number]];

export interface Shape {
  bounds: Bounds;
  contains(x: number, y: number, z: number): boolean;
}

/** Ellipsoid with centre and semi-axes in mm, axis-aligned. */
export function ellipsoid(centre: Point, semiAxes: Point): Shape {
  const [cx, cy, cz] = centre;
  const [a, b, c] = semiAxes;
  return {
    bounds: [[cx - a, cx + a], [cy - b, cy + b], [cz - c, cz + c]],
    contains: (x, y, z) => ((x - cx) / a) ** 2 + ((y - cy) / b) ** 2 + ((z - cz) / c) ** 2 <= 1,
  };
}

/** Cylinder along z with an elliptic cross-section (semi-axes a along x, b along y). */
export function ellipticCylinder(
  centreXY: [number, number],
  semiAxes: [number, number],
  zRange: [number, number],
): Shape {
  const [cx, cy] = centreXY;
  const [a, b] = semiAxes;
  return {
    bounds: [[cx - a, cx + a], [cy - b, cy + b], zRange],
    contains: (x, y, z) => z >= zRange[0] && z <= zRange[1] && ((x - cx) / a) ** 2 + ((y - cy) / b) ** 2 <= 1,
  };
}

/** Returns all points within `radius` mm of the segment from `start` to `end` (a capsule). */
export function capsule(start: Point, end: Point, radius: number): Shape {
  const direction: Point = [end[0] - start[0], end[1] - start[1], end[2] - start[2]];
  const lengthSquared = direction[0] ** 2 + direction[1] ** 2 + direction[2] ** 2 || 1;
  const bounds = [0, 1, 2].map((axis) => [
    Math.min(start[axis], end[axis]) - radius,
    Math.max(start[axis], end[axis]) + radius,
  ]) as Bounds;

  return {
    bounds,
    contains(x, y, z) {
      const px = x - start[0];
      const py = y - start[1];
      const pz = z - start[2];
      const along = (px * direction[0] + py * direction[1] + pz * direction[2]) / lengthSquared;
      const t = Math.min(1, Math.max(0, along));
      const dx = px - t * direction[0];
      const dy = py - t * direction[1];
      const dz = pz - t * direction[2];
      return dx * dx + dy * dy + dz * dz <= radius * radius;
    },
  };
}

/** Builds a tube of constant radius along a polyline, one capsule per segment. */
export function tube(points: Point[], radius: number): Shape[] {
  const parts: Shape[] = [];
  for (let i = 0; i + 1 < points.length; i++) parts.push(capsule(points[i], points[i + 1], radius));
  return parts;
}

/** Points of `outer` that are outside `inner` (a shell or ring). */
export function difference(outer: Shape, inner: Shape): Shape {
  return {
    bounds: outer.bounds,
    contains: (x, y, z) => outer.contains(x, y, z) && !inner.contains(x, y, z),
  };
}

/** Points inside both shapes. */
export function intersection(first: Shape, second: Shape): Shape {
  const bounds = [0, 1, 2].map((axis) => [
    Math.max(first.bounds[axis][0], second.bounds[axis][0]),
    Math.min(first.bounds[axis][1], second.bounds[axis][1]),
  ]) as Bounds;
  return {
    bounds,
    contains: (x, y, z) => first.contains(x, y, z) && second.contains(x, y, z),
  };
}
