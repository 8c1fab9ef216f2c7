/**
 * Tissue classes that the phantom paints before it renders HU and labels. A tissue is finer than
 * a label (fat, muscle and bone are all `body`) and carries the HU range of its material.
 */
import { PHANTOM_LABELS } from "./labels.ts";

export const Tissue = {
  air: 0,
  subcutaneousFat: 1,
  muscle: 2,
  mediastinalFat: 3,
  lungLeft: 4,
  lungRight: 5,
  airwayLumen: 6,
  airwayWall: 7,
  heart: 8,
  blood: 9,
  esophagus: 10,
  esophagusLumen: 11,
  corticalBone: 12,
  cancellousBone: 13,
  disc: 14,
  csf: 15,
  spinalCord: 16,
  liver: 17,
  table: 18,
  tumor: 19,
} as const;

export type TissueId = (typeof Tissue)[keyof typeof Tissue];

/** Label id per tissue id (index = tissue id). The scanner table lies outside the body: 0. */
export const TISSUE_LABEL: readonly number[] = (() => {
  const L = PHANTOM_LABELS;
  const table = new Array<number>(20).fill(L.body);
  table[Tissue.air] = L.background;
  table[Tissue.table] = L.background;
  table[Tissue.lungLeft] = L.lung_left;
  table[Tissue.lungRight] = L.lung_right;
  table[Tissue.airwayLumen] = L.trachea;
  table[Tissue.airwayWall] = L.trachea;
  table[Tissue.heart] = L.heart;
  table[Tissue.blood] = L.vessels;
  table[Tissue.esophagus] = L.esophagus;
  table[Tissue.esophagusLumen] = L.esophagus;
  table[Tissue.spinalCord] = L.spinal_cord;
  table[Tissue.tumor] = L.tumor;
  return table;
})();

/**
 * Mean HU per tissue before texture and noise; textbook CT values (air -1000, fat -100,
 * soft tissue 40, cortical bone about 900). Blood and tumor get a per-structure value at paint
 * time, drawn from 40..60 and 20..60 HU.
 */
export const TISSUE_HU: Readonly<Record<TissueId, number>> = {
  [Tissue.air]: -1000,
  [Tissue.subcutaneousFat]: -100,
  [Tissue.muscle]: 45,
  [Tissue.mediastinalFat]: -90,
  [Tissue.lungLeft]: -850,
  [Tissue.lungRight]: -850,
  [Tissue.airwayLumen]: -990,
  [Tissue.airwayWall]: 40,
  [Tissue.heart]: 40,
  [Tissue.blood]: 50,
  [Tissue.esophagus]: 40,
  [Tissue.esophagusLumen]: -900,
  [Tissue.corticalBone]: 900,
  [Tissue.cancellousBone]: 450,
  [Tissue.disc]: 80,
  [Tissue.csf]: 10,
  [Tissue.spinalCord]: 35,
  [Tissue.liver]: 55,
  [Tissue.table]: -300,
  [Tissue.tumor]: 40,
};

export function isLung(tissue: number): boolean {
  return tissue === Tissue.lungLeft || tissue === Tissue.lungRight;
}

/** Tissues that form the mediastinum next to the lungs; a tumor touching one is central. */
export function isMediastinal(tissue: number): boolean {
  return (
    tissue === Tissue.mediastinalFat ||
    tissue === Tissue.heart ||
    tissue === Tissue.blood ||
    tissue === Tissue.esophagus ||
    tissue === Tissue.airwayWall
  );
}
