/**
 * Paints the normal anatomy of one chest phantom: body wall, lungs, mediastinum, heart, great
 * vessels, airway, esophagus and spine. Sizes and positions are adult textbook values in mm,
 * varied per case by the random generator (body about +-8 %, organs a few mm).
 *
 * Patient coordinates as in `shapes.ts`: x left, y posterior, z superior, origin at the grid
 * centre. The anatomy spans about 330 x 240 x 240 mm; a smaller field of view clips it.
 */
import type { Canvas } from "./canvas.ts";
import type { Rng } from "./prng.ts";
import {
  capsule,
  difference,
  ellipsoid,
  ellipticCylinder,
  intersection,
  tube,
  type Point,
} from "./shapes.ts";
import { Tissue } from "./tissues.ts";

/** Positions that tumor placement needs, in patient mm. */
export interface Anatomy {
  /** Lung centres; a tumor touching the mediastinum is moved towards its lung's centre. */
  lungCentre: { left: Point; right: Point };
}

const Z_TOP = 130;
const Z_BOTTOM = -130;

export function paintAnatomy(canvas: Canvas, rng: Rng): Anatomy {
  const scale = rng.uniform(0.92, 1.08);
  const bodyA = 150 * scale;
  const bodyB = 105 * rng.uniform(0.97, 1.03);
  const bodyY = -5;

  paintBodyWall(canvas, rng, bodyA, bodyB, bodyY);
  const lungCentre = paintLungs(canvas, rng, bodyA, bodyB, bodyY);
  paintHeart(canvas, rng);
  paintVessels(canvas, rng);
  paintAirway(canvas, rng);
  paintEsophagus(canvas, rng);
  paintSpine(canvas, rng, bodyB + bodyY);
  return { lungCentre };
}

/** Skin-to-pleura layers: subcutaneous fat, muscle, ribs, sternum; liver; the scanner table. */
function paintBodyWall(canvas: Canvas, rng: Rng, a: number, b: number, centreY: number): void {
  const zRange: [number, number] = [Z_BOTTOM, Z_TOP];
  const fatDepth = rng.uniform(8, 20);
  canvas.paint(ellipticCylinder([0, centreY], [a, b], zRange), Tissue.subcutaneousFat);
  canvas.paint(ellipticCylinder([0, centreY], [a - fatDepth, b - fatDepth], zRange), Tissue.muscle);

  const tableTop = centreY + b + 4;
  canvas.paint(
    { bounds: [[-220, 220], [tableTop, tableTop + 10], zRange], contains: () => true },
    Tissue.table,
  );

  // Ribs: a bony ring inside the muscle, in oblique bands 9 mm thick every 25 mm.
  const ribOuter = ellipticCylinder([0, centreY], [a * 0.86, b * 0.86], zRange);
  const ribInner = ellipticCylinder([0, centreY], [a * 0.82, b * 0.82], zRange);
  const ribPhase = rng.uniform(0, 25);
  const ribs = difference(ribOuter, ribInner);
  canvas.paint(
    { bounds: ribs.bounds, contains: (x, y, z) => ribs.contains(x, y, z) && (z + 0.3 * y + ribPhase + 1000) % 25 < 9 },
    Tissue.corticalBone,
    { hu: () => rng.uniform(600, 950) },
  );
  canvas.paint(ellipticCylinder([0, centreY - b * 0.82], [14, 6], [-60, 90]), Tissue.corticalBone);

  // The mediastinum is filled with fat first; organs painted later take their places in it.
  canvas.paint(ellipticCylinder([0, -25], [45, 70], [-95, 110]), Tissue.mediastinalFat);

  const liver = ellipsoid([-35, -5, -125 + rng.uniform(-5, 5)], [105, 80, 45]);
  canvas.paint(intersection(liver, ellipticCylinder([0, centreY], [a * 0.82, b * 0.82], zRange)), Tissue.liver);
}

/** Two lungs as ellipsoids clipped to the inside of the ribs; the right one sits higher. */
function paintLungs(
  canvas: Canvas,
  rng: Rng,
  bodyA: number,
  bodyB: number,
  bodyY: number,
): Anatomy["lungCentre"] {
  const cavity = ellipticCylinder([0, bodyY], [bodyA * 0.82, bodyB * 0.82], [Z_BOTTOM, Z_TOP]);
  const left: Point = [78 + rng.uniform(-4, 4), 8, 5 + rng.uniform(-5, 5)];
  const right: Point = [-78 + rng.uniform(-4, 4), 8, 12 + rng.uniform(-5, 5)];
  const size = rng.uniform(0.93, 1.07);

  canvas.paint(intersection(ellipsoid(left, [60 * size, 82, 105 * size]), cavity), Tissue.lungLeft);
  canvas.paint(intersection(ellipsoid(right, [62 * size, 82, 100 * size]), cavity), Tissue.lungRight);
  return { left, right };
}

/** Heart: an ellipsoid on the diaphragm, left of the midline; the blood pool is brighter. */
function paintHeart(canvas: Canvas, rng: Rng): void {
  const centre: Point = [28 + rng.uniform(-5, 5), -38 + rng.uniform(-4, 4), -45 + rng.uniform(-5, 5)];
  const semiAxes: Point = [55 * rng.uniform(0.9, 1.1), 45, 48];
  canvas.paint(ellipsoid(centre, semiAxes), Tissue.heart);
  canvas.paint(ellipsoid(centre, [semiAxes[0] * 0.7, semiAxes[1] * 0.7, semiAxes[2] * 0.7]), Tissue.heart, {
    hu: 50,
  });
}

/** Aorta, pulmonary trunk and arteries, superior vena cava; blood 40..60 HU per vessel. */
function paintVessels(canvas: Canvas, rng: Rng): void {
  const paintTube = (points: Point[], radius: number) => {
    const hu = rng.uniform(40, 60);
    for (const part of tube(points, radius)) canvas.paint(part, Tissue.blood, { hu });
  };
  const aortaRadius = rng.uniform(12, 15);

  paintTube(
    [
      [8, -25, -20],
      [5, -20, 55],
      [12, 5, 72],
      [28, 26, 55],
      [30, 28, 20],
      [28, 26, -130],
    ],
    aortaRadius,
  );
  const trunkTop: Point = [18, -30, 25];
  paintTube([[20, -45, -5], trunkTop], rng.uniform(11, 14));
  paintTube([trunkTop, [55, -5, 28]], rng.uniform(8, 11));
  paintTube([trunkTop, [-5, -15, 28], [-55, -5, 28]], rng.uniform(8, 11));
  paintTube([[-25, -20, 130], [-22, -22, -15]], rng.uniform(8, 11));
}

/** Trachea down to the carina and the two main bronchi: air lumen in a 2 mm wall. */
function paintAirway(canvas: Canvas, rng: Rng): void {
  const carina: Point = [0, -5, 35 + rng.uniform(-5, 5)];
  const radius = rng.uniform(8, 10);
  const segments: [Point[], number][] = [
    [[[0, -5, Z_TOP], carina], radius],
    [[carina, [38, 0, carina[2] - 22]], radius * 0.65],
    [[carina, [-38, 0, carina[2] - 30]], radius * 0.7],
  ];
  for (const [points, r] of segments) {
    for (const part of tube(points, r + 2)) canvas.paint(part, Tissue.airwayWall);
  }
  for (const [points, r] of segments) {
    for (const part of tube(points, r)) canvas.paint(part, Tissue.airwayLumen);
  }
}

/** Esophagus behind the trachea, bending left into the stomach; some air in its lumen. */
function paintEsophagus(canvas: Canvas, rng: Rng): void {
  const points: Point[] = [
    [6, 20, Z_TOP],
    [6, 20, -90],
    [40, 0, -130],
  ];
  for (const part of tube(points, rng.uniform(7, 9))) canvas.paint(part, Tissue.esophagus);

  const airTop = rng.uniform(-40, 100);
  canvas.paint(capsule([6, 20, airTop], [6, 20, airTop - rng.uniform(10, 40)], 2.5), Tissue.esophagusLumen);
}

/**
 * Thoracic spine: vertebral bodies (cortical shell, cancellous core) with discs every 28 mm, and
 * behind them the spinal canal with the cord in cerebrospinal fluid, enclosed by the neural arch.
 */
function paintSpine(canvas: Canvas, rng: Rng, bodyPosteriorY: number): void {
  const zRange: [number, number] = [Z_BOTTOM, Z_TOP];
  const bodyY = bodyPosteriorY - 58 + rng.uniform(-2, 2);
  const canalY = bodyY + 27;
  const discPhase = rng.uniform(0, 28);

  canvas.paint(ellipticCylinder([0, bodyY], [19, 16], zRange), Tissue.corticalBone, { hu: () => rng.uniform(800, 1000) });
  canvas.paint(ellipticCylinder([0, bodyY], [16, 13], zRange), Tissue.cancellousBone, {
    hu: () => rng.uniform(400, 520),
  });
  canvas.paint(
    { bounds: [[-19, 19], [bodyY - 16, bodyY + 16], zRange], contains: (x, y, z) => (z + discPhase + 1000) % 28 < 5 && ((x / 19) ** 2 + ((y - bodyY) / 16) ** 2 <= 1) },
    Tissue.disc,
  );

  const arch = difference(ellipticCylinder([0, canalY], [15, 14], zRange), ellipticCylinder([0, canalY], [10, 9], zRange));
  canvas.paint(arch, Tissue.corticalBone, { hu: () => rng.uniform(700, 1000) });
  canvas.paint(ellipticCylinder([0, canalY + 18], [4, 7], zRange), Tissue.corticalBone, { hu: () => rng.uniform(700, 1000) });
  canvas.paint(ellipticCylinder([0, canalY], [10, 9], zRange), Tissue.csf);
  canvas.paint(ellipticCylinder([0, canalY], [5.5, 4.5], zRange), Tissue.spinalCord);
}
