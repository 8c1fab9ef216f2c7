/**
 * Task keys. A task's key is the sha256 of its key manifest in canonical JSON; a result stored
 * under that key is reused only when every field below is equal.
 */
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import type { JsonValue, MatrixCell } from "../plugin.ts";
import type { Task } from "./task-graph.ts";
import { canonicalJson } from "./canonical-json.ts";
import { digestPluginSource, type SourceDigest } from "./source-digest.ts";

/** A task key: 64 hex digits of sha256 over the canonical key manifest. */
export type TaskKey = string & { readonly __brand: "TaskKey" };

/** Root of the segsweep project; built-in plugin paths in manifests are relative to it. */
export const PROJECT_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Bumped when the manifest's layout or the meaning of a field changes, so that no key computed
 * under the old rules can match one under the new rules.
 */
export const KEY_FORMAT = 1;

/** One upstream artifact as recorded in the key. */
export interface KeyInput {
  /** Content digest of the artifact directory: equal content gives an equal key (early cutoff). */
  digest: string;
  /** The upstream cell, because plugins see it (`InputArtifact.cell`) and may act on it. */
  cell: MatrixCell;
}

/** Every field is part of the key for the reason given; fields are sorted when serialised. */
export interface KeyManifest {
  /** Layout version of this manifest (`KEY_FORMAT`). */
  format: number;
  /** Plugin name and version: a version bump invalidates results that the source digest cannot. */
  plugin: { name: string; version: string };
  /** The plugin's module graph and the npm package versions it imports: code changes rerun it. */
  source: SourceDigest;
  /** Params after interpolation and defaults: they change what the plugin computes. */
  params: Record<string, JsonValue>;
  /** The task's matrix cell, given to the plugin as `ctx.cell`. */
  cell: MatrixCell;
  /** Input name to its artifacts' digests, in fan-in order. */
  inputs: Record<string, KeyInput[]>;
  /**
   * Runtime facts: the Node.js major version (numerics and zlib output can differ between
   * majors), plus the facts the plugin declares, such as the TF.js version and backend.
   */
  runtime: Record<string, string>;
}

export interface KeyedTask {
  key: TaskKey;
  manifest: KeyManifest;
}

export function keyOf(manifest: KeyManifest): TaskKey {
  return createHash("sha256").update(canonicalJson(manifest)).digest("hex") as TaskKey;
}

const runtimeFactsCache = new Map<string, Promise<Record<string, string>>>();

/** Builds the manifest and key of a task whose input digests are known. */
export async function keyTask(task: Task, inputs: Record<string, KeyInput[]>): Promise<KeyedTask> {
  const manifest: KeyManifest = {
    format: KEY_FORMAT,
    plugin: { name: task.plugin.name, version: task.plugin.version },
    source: digestPluginSource(task.entryFile, PROJECT_ROOT),
    params: task.params,
    cell: task.cell,
    inputs,
    runtime: { node: process.versions.node.split(".")[0], ...(await runtimeFactsOf(task)) },
  };
  return { key: keyOf(manifest), manifest };
}

/** Calls the plugin's `runtimeFacts` once per distinct params within a process. */
function runtimeFactsOf(task: Task): Promise<Record<string, string>> {
  if (!task.plugin.runtimeFacts) return Promise.resolve({});
  const cacheKey = `${task.entryFile}|${canonicalJson(task.params)}`;
  let facts = runtimeFactsCache.get(cacheKey);
  if (!facts) {
    facts = Promise.resolve(task.plugin.runtimeFacts(task.params));
    runtimeFactsCache.set(cacheKey, facts);
  }
  return facts;
}

/** Derives a 32-bit seed from the params and cell, so that it is stable and covered by the key. */
export function seedOf(manifest: KeyManifest): number {
  const hex = createHash("sha256").update(canonicalJson({ params: manifest.params, cell: manifest.cell })).digest("hex");
  return parseInt(hex.slice(0, 8), 16);
}
