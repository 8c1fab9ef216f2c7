/**
 * Pipeline params: the file's `params`, overlaid by the selected profile, then by `--set`.
 */
import { parse as parseYamlScalar } from "yaml";
import type { JsonValue } from "../plugin.ts";
import type { IssueList } from "./errors.ts";
import type { YamlSource } from "./yaml-source.ts";

/** One `--set NAME=VALUE` from the command line; NAME may be dotted (`train.epochs`). */
export interface ParamOverride {
  name: string;
  value: JsonValue;
}

/** Parses `NAME=VALUE`; the value is read as a YAML scalar or flow value (`3`, `true`, `[1, 2]`). */
export function parseOverride(text: string): ParamOverride {
  const eq = text.indexOf("=");
  if (eq <= 0) throw new Error(`invalid --set '${text}': write NAME=VALUE, for example --set epochs=5`);
  const name = text.slice(0, eq).trim();
  const rawValue = text.slice(eq + 1);
  let value: JsonValue;
  try {
    value = parseYamlScalar(rawValue, { schema: "core" }) as JsonValue;
  } catch {
    value = rawValue;
  }
  return { name, value: value ?? rawValue };
}

/** Copies the file's params and overlays the profile named by `params.profile`, if any. */
export function resolveParams(
  params: Record<string, JsonValue>,
  profiles: Record<string, { params?: Record<string, JsonValue> }>,
  source: YamlSource,
  issues: IssueList,
): Record<string, JsonValue> {
  const resolved = structuredClone(params);
  const profile = resolved.profile;
  if (profile !== undefined && Object.keys(profiles).length > 0) {
    if (typeof profile !== "string" || !(profile in profiles)) {
      issues.add(source.positionOf(["params", "profile"]), `unknown profile ${JSON.stringify(profile)}; profiles: ${Object.keys(profiles).join(", ")}`);
    } else {
      Object.assign(resolved, structuredClone(profiles[profile].params ?? {}));
    }
  }
  return resolved;
}

/**
 * Applies `--set` overrides. Setting `profile` re-applies that profile first, so
 * `--set profile=quick` selects a profile and other `--set` values still win over it.
 */
export function applyOverrides(
  params: Record<string, JsonValue>,
  profiles: Record<string, { params?: Record<string, JsonValue> }>,
  overrides: ParamOverride[],
  issues: IssueList,
  pipelineFile: string,
): void {
  const at = { file: pipelineFile, line: 1, column: 1 };
  const profileOverride = overrides.find((o) => o.name === "profile");
  if (profileOverride) {
    const name = profileOverride.value;
    if (typeof name !== "string" || !(name in profiles)) {
      issues.add(at, `--set profile=${JSON.stringify(name)}: unknown profile; profiles in this pipeline: ${Object.keys(profiles).join(", ") || "none"}`);
    } else {
      Object.assign(params, structuredClone(profiles[name].params ?? {}));
      params.profile = name;
    }
  }

  for (const { name, value } of overrides) {
    if (name === "profile") continue;
    const fields = name.split(".");
    let container: Record<string, JsonValue> = params;
    for (const field of fields.slice(0, -1)) {
      const next = container[field];
      if (next === null || typeof next !== "object" || Array.isArray(next)) {
        container = undefined as never;
        break;
      }
      container = next as Record<string, JsonValue>;
    }
    const last = fields[fields.length - 1];
    if (!container || !(last in container)) {
      issues.add(at, `--set ${name}: unknown param '${name}'; params of this pipeline: ${Object.keys(params).join(", ") || "none"}`);
      continue;
    }
    container[last] = value;
  }
}
