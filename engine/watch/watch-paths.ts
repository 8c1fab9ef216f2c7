/**
 * The paths `segsweep watch` watches for a task graph: the pipeline file, the source files of the
 * plugins it uses with the local modules they import, and the input data paths.
 *
 * Data path rule: a string param (at any depth in a task's params) that names an existing file
 * or folder, resolved against the working directory as the task processes resolve it. Folders
 * are watched with everything inside. Paths inside the cache directory, or that contain it, are
 * left out, because tasks write there. A data change reruns only tasks whose key covers the data,
 * such as `ingest`, whose runtime facts include the data set's file sizes and modification times.
 * NOTE: a file that a task itself writes (a log named by a param, say) is watched too, so each
 * write starts a round that plans again and finds nothing new to run.
 */
import { existsSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import type { JsonValue } from "../plugin.ts";
import { PROJECT_ROOT } from "../plan/key.ts";
import { pluginSourceFiles } from "../plan/source-digest.ts";
import type { TaskGraph } from "../plan/task-graph.ts";

export interface WatchedPaths {
  pipelineFile: string;
  /** Plugin entry modules and the local modules they import, transitively. */
  sourceFiles: string[];
  /** Files and folders named by params. */
  dataPaths: string[];
}

export function watchedPathsOf(graph: TaskGraph, cacheDir: string, workingDir = process.cwd()): WatchedPaths {
  const entryFiles = new Set([...graph.tasks.values()].map((task) => task.entryFile));
  const sourceFiles = new Set<string>();
  for (const entryFile of entryFiles) {
    for (const file of pluginSourceFiles(entryFile, PROJECT_ROOT)) sourceFiles.add(file);
  }

  const dataPaths = new Set<string>();
  for (const task of graph.tasks.values()) {
    for (const text of stringsIn(task.params)) {
      const path = resolve(workingDir, text);
      if (text.trim() !== "" && existsSync(path) && !overlaps(path, cacheDir)) dataPaths.add(path);
    }
  }
  return { pipelineFile: graph.pipelineFile, sourceFiles: [...sourceFiles].sort(), dataPaths: [...dataPaths].sort() };
}

function stringsIn(value: JsonValue): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value !== null && typeof value === "object") return Object.values(value).flatMap(stringsIn);
  return [];
}

/** True when one path is the other or lies inside it. */
function overlaps(a: string, b: string): boolean {
  return isInside(a, b) || isInside(b, a);
}

/** True when `path` is `folder` or lies inside it. */
export function isInside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}
