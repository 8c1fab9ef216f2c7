/**
 * Maps a source label volume to the classes of an arm and counts voxels, in one pass.
 */
import type { Volume } from "../volume/volume.ts";
import type { ResolvedMapping } from "./mapping.ts";

export interface MappedLabels {
  /** Label map in class ids, uint8, on the source grid. */
  label: Volume<Uint8Array>;
  /** Voxels per source label name (declared labels only, zero counts included). */
  sourceVoxelCounts: Record<string, number>;
  /** Voxels per class name, zero counts included. */
  voxelCounts: Record<string, number>;
}

/**
 * Replaces each source label id with its class id. Throws, naming `file`, when a voxel has a
 * value that is not an integer in 0..255 or not a declared label.
 */
export function applyMapping(source: Volume, mapping: ResolvedMapping, file: string): MappedLabels {
  const histogram = new Float64Array(256);
  const undeclared = new Map<number, number>();
  const output = new Uint8Array(source.data.length);

  for (let n = 0; n < source.data.length; n++) {
    const value = source.data[n];
    const classId = Number.isInteger(value) && value >= 0 && value <= 255 ? mapping.lookup[value] : -1;
    if (classId < 0) {
      undeclared.set(value, (undeclared.get(value) ?? 0) + 1);
      continue;
    }
    histogram[value]++;
    output[n] = classId;
  }

  if (undeclared.size > 0) {
    const values = [...undeclared].map(([value, count]) => `${value} (${count} voxels)`).join(", ");
    throw new Error(
      `${file}: label values ${values} are not declared in the data set's labels ` +
        `(${JSON.stringify(mapping.sourceLabels)}); fix the label map or declare the values, then rerun ingest`,
    );
  }

  const sourceVoxelCounts: Record<string, number> = {};
  const voxelCounts: Record<string, number> = Object.fromEntries(mapping.classes.map((name) => [name, 0]));
  for (const [id, name] of Object.entries(mapping.sourceLabels)) {
    const count = histogram[Number(id)];
    sourceVoxelCounts[name] = count;
    voxelCounts[mapping.classes[mapping.lookup[Number(id)]]] += count;
  }

  const label: Volume<Uint8Array> = { ...source, data: output };
  return { label, sourceVoxelCounts, voxelCounts };
}

/**
 * Returns the classes whose contour was not drawn in a case, for a marginal loss in training.
 *
 * A class other than background and tumor is unannotated when its name is in
 * `mapping.alwaysPresent` and it has zero voxels. It is also unannotated when one of its source
 * labels is in that list and has zero voxels, so a lung class built from lung_left and
 * lung_right is unannotated if either side is missing. A zero-voxel tumor is a real negative and never reported.
 */
export function findUnannotated(mapping: ResolvedMapping, counts: Omit<MappedLabels, "label">): string[] {
  const listed = new Set(mapping.alwaysPresent);
  const unannotated: string[] = [];

  for (const [classId, name] of mapping.classes.entries()) {
    if (classId === 0 || classId === mapping.tumorClass) continue;
    const emptyClass = listed.has(name) && counts.voxelCounts[name] === 0;
    const emptySource = mapping.mapping[name].some(
      (source) => listed.has(source) && counts.sourceVoxelCounts[source] === 0,
    );
    if (emptyClass || emptySource) unannotated.push(name);
  }
  return unannotated;
}
