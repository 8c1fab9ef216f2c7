import assert from "node:assert/strict";
import { test } from "node:test";
import { generateChestCase, type ChestPhantomCase } from "../../stages/phantom/chest-phantom.ts";
import { PHANTOM_LABELS } from "../../stages/phantom/labels.ts";
import { Tissue, isMediastinal } from "../../stages/phantom/tissues.ts";

const cases: ChestPhantomCase[] = [];
for (let index = 0; index < 6; index++) cases.push(generateChestCase({ seed: 11, index }));

function statsOf(phantom: ChestPhantomCase, tissues: number[]): { mean: number; sd: number; count: number } {
  let sum = 0;
  let sumSquares = 0;
  let count = 0;
  for (let n = 0; n < phantom.tissue.length; n++) {
    if (!tissues.includes(phantom.tissue[n])) continue;
    const hu = phantom.image.data[n];
    sum += hu;
    sumSquares += hu * hu;
    count++;
  }
  const mean = sum / count;
  return { mean, sd: Math.sqrt(sumSquares / count - mean * mean), count };
}

/** Returns whether some voxel with a tissue in `from` has a 6-neighbour that passes `to`. */
function touches(phantom: ChestPhantomCase, from: number, to: (tissue: number) => boolean): boolean {
  const [nx, ny, nz] = phantom.image.shape;
  const steps = [1, -1, nx, -nx, nx * ny, -nx * ny];
  for (let n = nx * ny; n < nx * ny * (nz - 1); n++) {
    if (phantom.tissue[n] !== from) continue;
    if (steps.some((step) => to(phantom.tissue[n + step]))) return true;
  }
  return false;
}

test("phantom same seed gives same bytes", () => {
  const again = generateChestCase({ seed: 11, index: 2 });
  assert.deepEqual(Buffer.from(again.image.data.buffer), Buffer.from(cases[2].image.data.buffer));
  assert.deepEqual(Buffer.from(again.label.data.buffer), Buffer.from(cases[2].label.data.buffer));
});

test("phantom other seed or index differs", () => {
  const otherSeed = generateChestCase({ seed: 12, index: 2 });
  assert.notDeepEqual(Buffer.from(otherSeed.image.data.buffer), Buffer.from(cases[2].image.data.buffer));
  assert.notDeepEqual(Buffer.from(otherSeed.label.data.buffer), Buffer.from(cases[2].label.data.buffer));
  assert.notDeepEqual(Buffer.from(cases[3].label.data.buffer), Buffer.from(cases[2].label.data.buffer));
});

test("phantom grid has scanner LPS affine", () => {
  const { image, label } = cases[0];
  assert.deepEqual(image.shape, [128, 128, 48]);
  assert.deepEqual(image.spacing, [2.7, 2.7, 5]);
  assert.deepEqual(label.affine, image.affine);
  assert.deepEqual([image.affine[0], image.affine[5], image.affine[10]], [-2.7, -2.7, 5]);
  assert.ok(image.data instanceof Int16Array);
  assert.ok(label.data instanceof Uint8Array);
});

test("phantom custom grid is honoured", () => {
  const small = generateChestCase({ seed: 1, index: 0, shape: [64, 64, 24], spacingMm: [5.4, 5.4, 10] });
  assert.deepEqual(small.image.shape, [64, 64, 24]);
  assert.equal(small.label.data.length, 64 * 64 * 24);
  assert.ok(small.label.data.includes(PHANTOM_LABELS.lung_left));
});

test("phantom HU match tissue ranges", () => {
  for (const phantom of cases) {
    const air = statsOf(phantom, [Tissue.air]);
    const lung = statsOf(phantom, [Tissue.lungLeft, Tissue.lungRight]);
    const fat = statsOf(phantom, [Tissue.subcutaneousFat]);
    const muscle = statsOf(phantom, [Tissue.muscle, Tissue.heart]);
    const blood = statsOf(phantom, [Tissue.blood]);
    const bone = statsOf(phantom, [Tissue.corticalBone, Tissue.cancellousBone]);
    const tumor = statsOf(phantom, [Tissue.tumor]);

    assert.ok(Math.abs(air.mean + 1000) < 5, `air mean ${air.mean}`);
    assert.ok(lung.mean > -900, `lung mean ${lung.mean}`);
    assert.ok(lung.mean < -800, `lung mean ${lung.mean}`);
    assert.ok(lung.sd > fat.sd, `lung texture sd ${lung.sd} not above noise sd ${fat.sd}`);
    assert.ok(Math.abs(fat.mean + 100) < 5, `fat mean ${fat.mean}`);
    assert.ok(muscle.mean > 30, `soft tissue mean ${muscle.mean}`);
    assert.ok(muscle.mean < 60, `soft tissue mean ${muscle.mean}`);
    assert.ok(blood.mean >= 40, `blood mean ${blood.mean}`);
    assert.ok(blood.mean <= 60, `blood mean ${blood.mean}`);
    assert.ok(bone.mean >= 400, `bone mean ${bone.mean}`);
    assert.ok(bone.mean <= 1000, `bone mean ${bone.mean}`);
    assert.ok(tumor.mean >= 15, `tumor mean ${tumor.mean}`);
    assert.ok(tumor.mean <= 65, `tumor mean ${tumor.mean}`);
    assert.ok(fat.sd >= 9, `noise sd ${fat.sd}`);
    assert.ok(fat.sd <= 21, `noise sd ${fat.sd}`);
    assert.ok(Math.abs(fat.sd - phantom.noiseSdHu) < 1, `noise sd ${fat.sd} vs ${phantom.noiseSdHu}`);
  }
});

test("phantom labels cover every structure", () => {
  for (const phantom of cases) {
    const counts = new Array<number>(256).fill(0);
    for (const value of phantom.label.data) counts[value]++;
    for (const [name, id] of Object.entries(PHANTOM_LABELS)) {
      assert.ok(counts[id] > 0, `label ${name} missing`);
    }
    assert.equal(counts.slice(10).reduce((a, b) => a + b, 0), 0);
  }
});

test("phantom spinal cord lies in bone", () => {
  for (const phantom of cases) {
    // The canal (cord and CSF) touches only bone, CSF, cord and the ends of the grid.
    const aroundCanal = (tissue: number) =>
      tissue !== Tissue.corticalBone && tissue !== Tissue.csf && tissue !== Tissue.spinalCord;
    assert.equal(touches(phantom, Tissue.csf, aroundCanal), false);
    assert.equal(touches(phantom, Tissue.spinalCord, aroundCanal), false);
  }
});

test("phantom tumors lie in lungs or mediastinum", () => {
  const kinds = new Set<string>();
  for (const phantom of cases) {
    assert.ok(phantom.tumors.length >= 1);
    for (const tumor of phantom.tumors) {
      kinds.add(tumor.kind);
      assert.ok(tumor.voxels > 0);
      assert.ok(tumor.radiusMm >= 3, `radius ${tumor.radiusMm}`);
      assert.ok(tumor.radiusMm <= 30, `radius ${tumor.radiusMm}`);
      assert.ok(!tumor.touches.includes("background"), `tumor touches air outside the body`);
      assert.ok(!tumor.touches.includes("spinal_cord"));
      if (tumor.kind === "peripheral") {
        assert.ok(tumor.touches.every((name) => name.startsWith("lung_")), `peripheral touches ${tumor.touches}`);
      }
    }
    const tumorKinds = phantom.tumors.map((tumor) => tumor.kind);
    if (tumorKinds.includes("mediastinal")) assert.ok(touches(phantom, Tissue.tumor, isMediastinal));
    if (tumorKinds.includes("vascular")) {
      assert.ok(touches(phantom, Tissue.tumor, (tissue) => tissue === Tissue.blood));
    }
  }
  assert.deepEqual([...kinds].sort(), ["mediastinal", "peripheral", "vascular"]);
});

test("phantom tumor sizes vary", () => {
  const radii = cases.flatMap((phantom) => phantom.tumors.map((tumor) => tumor.radiusMm));
  assert.ok(Math.max(...radii) / Math.min(...radii) > 2, `radii ${radii}`);
});

test("phantom dropped organ is background", () => {
  for (let index = 0; index < 4; index++) {
    const phantom = generateChestCase({ seed: 11, index, dropOrganProbability: 1 });
    assert.equal(phantom.unannotated.length, 1);
    const organ = phantom.unannotated[0];
    const id = PHANTOM_LABELS[organ];
    assert.equal(phantom.label.data.filter((value) => value === id).length, 0);
    const tissue = organ === "heart" ? Tissue.heart : Tissue.esophagus;
    assert.ok(phantom.tissue.includes(tissue), `${organ} must stay in the image`);
    assert.deepEqual(Buffer.from(phantom.image.data.buffer), Buffer.from(cases[index].image.data.buffer));
  }
});
