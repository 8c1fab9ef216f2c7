/**
 * Writes a fabricated ablation grid for compare tests: metrics.json per evaluate cell with a
 * known effect, and optionally predictions, resampled images and training.json files. Every
 * number here is made up; no real dataset is involved.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mt19937 from "@stdlib/random-base-mt19937";
import type { MatrixCell } from "../../engine/plugin.ts";
import { writeNifti } from "../../stages/volume/nifti.ts";

export interface GridSpec {
  arms: string[];
  losses: string[];
  seeds: number[];
  folds: number;
  cases: number;
  /** Dice of one case in one cell; `caseIndex` runs from 0 to cases - 1. */
  dice(arm: string, loss: string, seed: number, caseIndex: number): number;
  /** `case_selection` written to metrics.json; "validation" unless given. */
  caseSelection?: string;
}

export interface FabricatedGrid {
  root: string;
  metrics: Array<{ path: string; cell: MatrixCell }>;
  models: Array<{ path: string; cell: MatrixCell }>;
  images: string | null;
}

export const caseId = (index: number) => `synth-${String(index).padStart(3, "0")}`;

/** Deterministic pseudo-random numbers in [0, 1) from any integer seed (Mersenne Twister). */
export function randomStream(seed: number): () => number {
  const generator = mt19937.factory({ seed: seed >>> 0 || 1 });
  return () => generator() / 4294967296;
}

const SHAPE: [number, number, number] = [32, 32, 6];
const AFFINE = [1.5, 0, 0, -24, 0, 1.5, 0, -24, 0, 0, 3, -9, 0, 0, 0, 1];

/** Returns a 0/1 mask of a ball of `radius` voxels around (cx, cy, cz), z counted double. */
function ball(cx: number, cy: number, cz: number, radius: number): Uint8Array {
  const [nx, ny, nz] = SHAPE;
  const mask = new Uint8Array(nx * ny * nz);
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        const d2 = (x - cx) ** 2 + (y - cy) ** 2 + (2 * (z - cz)) ** 2;
        if (d2 <= radius * radius) mask[x + nx * (y + ny * z)] = 1;
      }
  return mask;
}

function tumorCenter(index: number): [number, number, number] {
  return [12 + (index % 5) * 2, 14 + (index % 3) * 2, 2 + (index % 2)];
}

async function writeImages(root: string, cases: number): Promise<string> {
  const dir = join(root, "images");
  const entries = [];
  for (let i = 0; i < cases; i++) {
    const id = caseId(i);
    mkdirSync(join(dir, id), { recursive: true });
    const random = randomStream(1000 + i);
    const [cx, cy, cz] = tumorCenter(i);
    const tumor = ball(cx, cy, cz, 5);
    const ct = new Float32Array(tumor.length);
    for (let v = 0; v < ct.length; v++) ct[v] = (tumor[v] ? 0.7 : 0.2) + 0.1 * random();
    await writeNifti(join(dir, id, "image.nii.gz"), { data: ct, shape: SHAPE, spacing: [1.5, 1.5, 3], affine: AFFINE });
    await writeNifti(join(dir, id, "label.nii.gz"), { data: tumor, shape: SHAPE, spacing: [1.5, 1.5, 3], affine: AFFINE });
    entries.push({ id, image: `${id}/image.nii.gz`, label: `${id}/label.nii.gz` });
  }
  const casesJson = { source: "synthetic-chest", synthetic: true, labels: { "0": "background", "1": "tumor" }, cases: entries };
  writeFileSync(join(dir, "cases.json"), JSON.stringify(casesJson));
  return dir;
}

/** Prediction: the reference ball shifted by more voxels the lower the Dice, in arm classes. */
async function writePrediction(dir: string, index: number, diceValue: number, tumorClass: number): Promise<void> {
  const [cx, cy, cz] = tumorCenter(index);
  const shift = Math.round((1 - diceValue) * 6);
  const mask = ball(cx + shift, cy, cz, 5);
  const labels = mask.map((v) => v * tumorClass);
  await writeNifti(join(dir, `${caseId(index)}.nii.gz`), { data: labels, shape: SHAPE, spacing: [1.5, 1.5, 3], affine: AFFINE });
}

function classesOf(arm: string): string[] {
  return arm === "binary" ? ["background", "tumor"] : ["background", "lung", "heart", "tumor"];
}

/** Writes the grid; `withVolumes` adds predictions, images and training.json files. */
export async function writeGrid(spec: GridSpec, withVolumes = false): Promise<FabricatedGrid> {
  const root = mkdtempSync(join(tmpdir(), "segsweep-compare-"));
  const grid: FabricatedGrid = { root, metrics: [], models: [], images: null };
  if (withVolumes) grid.images = await writeImages(root, spec.cases);

  for (const arm of spec.arms) {
    for (const loss of spec.losses) {
      for (const seed of spec.seeds) {
        for (let fold = 0; fold < spec.folds; fold++) {
          const cell = { granularity: arm, loss, seed, fold };
          const dir = join(root, "metrics", `${arm}-${loss}-s${seed}-f${fold}`);
          mkdirSync(join(dir, "predictions"), { recursive: true });
          const cases = [];
          for (let i = fold; i < spec.cases; i += spec.folds) {
            const dice = spec.dice(arm, loss, seed, i);
            cases.push({ id: caseId(i), dice, hd95_mm: dice > 0 ? 10 * (1 - dice) : null, nsd: dice, lesion_f1: dice > 0.5 ? 1 : 0, volume_error_ml: 5 * (1 - dice) });
            if (withVolumes) await writePrediction(join(dir, "predictions"), i, dice, classesOf(arm).indexOf("tumor"));
          }
          writeFileSync(join(dir, "metrics.json"), JSON.stringify({ cell, classes: classesOf(arm), tumor_class: classesOf(arm).indexOf("tumor"), case_selection: spec.caseSelection ?? "validation", policy: "test", cases }));
          grid.metrics.push({ path: dir, cell });

          if (withVolumes) grid.models.push(writeTraining(root, cell, arm));
        }
      }
    }
  }
  return grid;
}

function writeTraining(root: string, cell: MatrixCell, arm: string): { path: string; cell: MatrixCell } {
  const dir = join(root, "models", Object.values(cell).join("-"));
  mkdirSync(dir, { recursive: true });
  const plateau = arm === "binary" ? 0.6 : 0.7;
  const curve = Array.from({ length: 10 }, (_, e) => ({
    epoch: e + 1,
    train_loss: 1.2 * Math.exp(-e / 3) + 0.1,
    val_tumor_dice: plateau * (1 - Math.exp(-(e + 1) / 3)),
  }));
  writeFileSync(join(dir, "training.json"), JSON.stringify({ backend: { name: "wasm", tfjsVersion: "4.22.0", threads: 2 }, tfjs_version: "4.22.0", curve }));
  return { path: dir, cell };
}
