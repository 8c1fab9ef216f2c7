/**
 * Picks the best, median and worst case and renders the axial CT slice through each one's
 * largest reference tumor area. One panel shows the reference alone. Each further panel shows
 * one arm's prediction from its run with the reference loss and the lowest seed.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { readNifti } from "../volume/nifti.ts";
import type { Volume } from "../volume/volume.ts";
import { caseMeans, type AxisNames, type ArmGroup } from "./arm-groups.ts";
import type { CaseSet, MetricsCell } from "./load-inputs.ts";
import { metricDirection } from "./metric-direction.ts";
import { largestSliceIndex, renderSlicePng, sliceMask } from "./slice-png.ts";

/** Caption of the overlay section in report.md and report.html. */
export const OVERLAY_NOTE =
  "Axial slice through the largest reference tumor area, patient's right on the left. The reference tumor is " +
  "outlined in green and the prediction filled in magenta. Each arm's panel shows its lowest-seed run with the " +
  "reference loss, captioned with that run's value; cases are ranked by the seed-averaged value over the arms.";

export interface OverlayPanel {
  /** "reference" or the arm name. */
  title: string;
  /** Metric of this arm's prediction on this case (that seed), null for the reference panel. */
  value: number | null;
  /** File name in the report directory, for example `overlay-best-synth-003-organs.png`. */
  file: string;
  png: Buffer;
}

export interface OverlayCase {
  role: "best" | "median" | "worst";
  caseId: string;
  /** Mean over the compared arms of the seed-averaged case metric. */
  value: number;
  /** Axial slice index k on the resampled grid. */
  slice: number;
  panels: OverlayPanel[];
}

export interface OverlayRequest {
  caseSet: CaseSet;
  cells: readonly MetricsCell[];
  /** Groups of the reference loss, one per arm, in report order. */
  groups: readonly ArmGroup[];
  axes: AxisNames;
  metric: string;
  warn: (message: string) => void;
}

/** Case ids ordered best to worst by the mean over `groups`, among cases that every group has. */
function rankCases(groups: readonly ArmGroup[], metric: string): Array<{ id: string; value: number }> {
  const means = groups.map(caseMeans);
  const shared = [...means[0].keys()].filter((id) => means.every((m) => m.has(id)));
  const ranked = shared.map((id) => ({ id, value: means.reduce((sum, m) => sum + m.get(id)!, 0) / means.length }));
  const sign = metricDirection(metric) === "lower" ? 1 : -1;
  return ranked.sort((a, b) => sign * (a.value - b.value) || a.id.localeCompare(b.id));
}

/** Finds the evaluate cell with the lowest seed of `group` that has a prediction file for `caseId`. */
function predictionCell(request: OverlayRequest, group: ArmGroup, caseId: string): MetricsCell | undefined {
  const { axes } = request;
  return request.cells
    .filter((c) => String(c.cell[axes.arm]) === group.arm && String(c.cell[axes.loss] ?? "default") === group.loss)
    .filter((c) => c.cases.some((row) => row.id === caseId))
    .filter((c) => existsSync(join(c.path, "predictions", `${caseId}.nii.gz`)))
    .sort((a, b) => Number(a.cell[axes.seed] ?? 0) - Number(b.cell[axes.seed] ?? 0))[0];
}

function sameGrid(a: Volume, b: Volume): boolean {
  return a.shape.every((n, i) => n === b.shape[i]);
}

async function renderCase(request: OverlayRequest, role: OverlayCase["role"], entry: { id: string; value: number }): Promise<OverlayCase | null> {
  const { caseSet, metric, warn } = request;
  const record = caseSet.cases.find((c) => c.id === entry.id);
  if (!record || caseSet.tumorLabels.length === 0) {
    warn(`no overlay for ${entry.id}: the images input lacks this case or a 'tumor' label`);
    return null;
  }
  const ct = await readNifti(join(caseSet.path, record.image));
  const reference = await readNifti(join(caseSet.path, record.label));
  const slice = largestSliceIndex(reference, caseSet.tumorLabels);
  if (slice < 0 || !sameGrid(ct, reference)) {
    warn(`no overlay for ${entry.id}: the reference has no tumor voxel or another grid than the CT`);
    return null;
  }
  const referenceMask = sliceMask(reference, slice, caseSet.tumorLabels);
  const panels: OverlayPanel[] = [
    { title: "reference", value: null, file: `overlay-${role}-${entry.id}-reference.png`, png: renderSlicePng(ct, slice, referenceMask) },
  ];

  for (const group of request.groups) {
    const cell = predictionCell(request, group, entry.id);
    if (!cell) {
      warn(`no ${group.arm} prediction of ${entry.id} found for the overlay`);
      continue;
    }
    const prediction = await readNifti(join(cell.path, "predictions", `${entry.id}.nii.gz`));
    if (!sameGrid(ct, prediction)) {
      warn(`${group.arm} prediction of ${entry.id} has shape ${prediction.shape.join("x")}, the CT ${ct.shape.join("x")}; overlay skipped`);
      continue;
    }
    const row = cell.cases.find((r) => r.id === entry.id)!;
    panels.push({
      title: group.arm,
      value: typeof row[metric] === "number" ? (row[metric] as number) : null,
      file: `overlay-${role}-${entry.id}-${group.arm}.png`,
      png: renderSlicePng(ct, slice, referenceMask, sliceMask(prediction, slice, [cell.tumorClass])),
    });
  }
  return { role, caseId: entry.id, value: entry.value, slice, panels };
}

/** Renders the best, median and worst case; fewer when the grid has fewer shared cases. */
export async function buildOverlays(request: OverlayRequest): Promise<OverlayCase[]> {
  if (request.groups.length === 0) return [];
  const ranked = rankCases(request.groups, request.metric);
  if (ranked.length === 0) return [];

  const picks: Array<[OverlayCase["role"], { id: string; value: number }]> = [
    ["best", ranked[0]],
    ["median", ranked[Math.floor((ranked.length - 1) / 2)]],
    ["worst", ranked[ranked.length - 1]],
  ];
  const seen = new Set<string>();
  const overlays: OverlayCase[] = [];
  for (const [role, entry] of picks) {
    if (seen.has(entry.id)) continue;
    seen.add(entry.id);
    const overlay = await renderCase(request, role, entry);
    if (overlay) overlays.push(overlay);
  }
  return overlays;
}
