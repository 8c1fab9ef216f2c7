/**
 * Matrix expansion: the Cartesian product of a stage's axes, then `exclude`, then `include`,
 * with the semantics of GitHub Actions matrices.
 *
 * - `exclude` entries drop every cell whose values match all of the entry's keys.
 * - An `include` entry is merged into each cell where it overwrites no original axis value.
 *   Where it fits no cell, it becomes a cell of its own.
 */
import type { JsonValue, MatrixCell } from "../plugin.ts";

export interface MatrixSpec {
  axes: Record<string, JsonValue[]>;
  include: MatrixCell[];
  exclude: MatrixCell[];
}

export function expandMatrix(spec: MatrixSpec): MatrixCell[] {
  const axisNames = Object.keys(spec.axes);
  let cells: MatrixCell[] = axisNames.length > 0 ? [{}] : [];
  for (const axis of axisNames) {
    cells = cells.flatMap((cell) => spec.axes[axis].map((value) => ({ ...cell, [axis]: value })));
  }

  cells = cells.filter((cell) => !spec.exclude.some((entry) => matches(cell, entry)));

  for (const entry of spec.include) {
    let merged = false;
    cells = cells.map((cell) => {
      if (!fitsOriginalAxes(cell, entry, axisNames)) return cell;
      merged = true;
      return { ...cell, ...entry };
    });
    if (!merged) cells.push({ ...entry });
  }
  return cells;
}

function matches(cell: MatrixCell, entry: MatrixCell): boolean {
  return Object.entries(entry).every(([key, value]) => sameValue(cell[key], value));
}

function fitsOriginalAxes(cell: MatrixCell, entry: MatrixCell, axisNames: string[]): boolean {
  return Object.entries(entry).every(([key, value]) => !axisNames.includes(key) || sameValue(cell[key], value));
}

function sameValue(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  // Matrix values are nearly always strings and numbers; pairing compares them cells x cells times.
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Formats a value for a task id: plain words stay bare, anything else is JSON. */
function formatCellValue(value: JsonValue): string {
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "string" && /^[A-Za-z0-9_.+/-]+$/.test(value)) return value;
  return JSON.stringify(value);
}

/**
 * Returns the readable, stable id of a task: `stage` or `stage[axis=value,...]`, with the axes
 * in the cell's key order (declaration order, then keys that `include` added).
 */
export function taskIdOf(stageId: string, cell: MatrixCell): string {
  const parts = Object.entries(cell).map(([key, value]) => `${key}=${formatCellValue(value)}`);
  return parts.length === 0 ? stageId : `${stageId}[${parts.join(",")}]`;
}

/**
 * Picks the upstream cells that a downstream cell reads: those that agree with it on every
 * axis both have. A downstream task without a matrix (an empty cell) reads every upstream cell.
 */
export function pairCells(downstream: MatrixCell, upstream: MatrixCell[]): number[] {
  const chosen: number[] = [];
  upstream.forEach((cell, index) => {
    const shared = Object.keys(cell).filter((key) => key in downstream);
    if (shared.every((key) => sameValue(cell[key], downstream[key]))) chosen.push(index);
  });
  return chosen;
}
