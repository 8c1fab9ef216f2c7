/**
 * The data dependency of an ingest task: a digest of the data set's file list with sizes and
 * modification times, part of the task key so that the task reruns when a file changes.
 *
 * Stat only, no content hashing, because the engine calls this for every plan. The digest
 * therefore changes on a touch without a content change (a harmless rerun). It misses a change
 * that keeps both size and mtime, such as a copy with preserved mtime onto a file of equal size.
 */
import { createHash } from "node:crypto";
import { stat } from "node:fs/promises";
import { readDatasetLayout } from "./dataset-layout.ts";

/** Returns `{ source_path, source_files }`; throws like ingest when the source is invalid. */
export async function sourceFileFacts(
  source: string,
  labelsParam?: Record<string, string>,
): Promise<Record<string, string>> {
  const layout = await readDatasetLayout(source, labelsParam);
  const files = [...layout.metadataFiles, ...layout.pairs.flatMap((pair) => [pair.image, pair.label])];
  const hash = createHash("sha256");

  for (const path of files.sort()) {
    const info = await stat(path);
    hash.update(`${path}\t${info.size}\t${info.mtimeMs}\n`);
  }
  // Problems (a missing label file) are part of the state, so fixing one changes the key too.
  for (const problem of layout.problems) hash.update(`problem\t${problem}\n`);

  return { source_path: layout.root, source_files: `sha256:${hash.digest("hex")}` };
}
