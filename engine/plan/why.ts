/**
 * Differences between two key manifests of one task, in words: why a task reran or will run.
 */
import { canonicalJson } from "./canonical-json.ts";
import type { KeyManifest } from "./key.ts";

export function diffManifests(previous: KeyManifest, current: KeyManifest): string[] {
  const reasons: string[] = [];
  if (previous.format !== current.format) reasons.push(`key format ${previous.format} -> ${current.format}`);
  if (previous.plugin.name !== current.plugin.name) reasons.push(`plugin ${previous.plugin.name} -> ${current.plugin.name}`);
  if (previous.plugin.version !== current.plugin.version) reasons.push(`plugin version ${previous.plugin.version} -> ${current.plugin.version}`);

  reasons.push(...diffRecords("plugin source changed:", previous.source.files, current.source.files, describeFileChange));
  reasons.push(...diffRecords("npm package", previous.source.packages, current.source.packages, (name, before, after) => `${name} ${before ?? "none"} -> ${after ?? "none"}`));
  reasons.push(...diffValues("param", previous.params, current.params));
  reasons.push(...diffValues("matrix", previous.cell, current.cell));

  const inputNames = new Set([...Object.keys(previous.inputs), ...Object.keys(current.inputs)]);
  for (const name of [...inputNames].sort()) {
    const before = previous.inputs[name];
    const after = current.inputs[name];
    if (!before) reasons.push(`input ${name} added`);
    else if (!after) reasons.push(`input ${name} removed`);
    else if (canonicalJson(before) !== canonicalJson(after)) reasons.push(describeInputChange(name, before.length, after.length, before, after));
  }
  reasons.push(...diffValues("runtime", previous.runtime, current.runtime));
  return reasons;
}

function describeFileChange(file: string, before: string | undefined, after: string | undefined): string {
  if (before === undefined) return `${file} (added)`;
  if (after === undefined) return `${file} (removed)`;
  return file;
}

function describeInputChange(name: string, beforeCount: number, afterCount: number, before: unknown[], after: unknown[]): string {
  if (beforeCount !== afterCount) return `input ${name} changed (${beforeCount} -> ${afterCount} artifacts)`;
  const changed = after.filter((item, i) => canonicalJson(item) !== canonicalJson(before[i])).length;
  return afterCount > 1 ? `input ${name} changed (${changed} of ${afterCount} artifacts)` : `input ${name} changed`;
}

function diffRecords(
  label: string,
  before: Record<string, string>,
  after: Record<string, string>,
  describe: (name: string, before: string | undefined, after: string | undefined) => string,
): string[] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const changed = names.filter((name) => before[name] !== after[name]);
  return changed.map((name) => `${label} ${describe(name, before[name], after[name])}`);
}

/** Diffs two JSON records field by field, recursing into nested objects: `param loss: "dice" -> "focal"`. */
function diffValues(label: string, before: unknown, after: unknown, path = ""): string[] {
  const isRecord = (value: unknown) => value !== null && typeof value === "object" && !Array.isArray(value);
  if (isRecord(before) && isRecord(after)) {
    const a = before as Record<string, unknown>;
    const b = after as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((key) => diffValues(label, a[key], b[key], path ? `${path}.${key}` : key));
  }
  if (canonicalJson(before) === canonicalJson(after)) return [];
  return [`${label} ${path}: ${show(before)} -> ${show(after)}`];
}

function show(value: unknown): string {
  return value === undefined ? "(unset)" : JSON.stringify(value);
}
