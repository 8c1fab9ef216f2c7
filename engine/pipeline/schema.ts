/**
 * JSON Schema validation with ajv for pipeline files and plugin params, with each error turned
 * into a message at the file position of the offending key or value.
 */
import { readFileSync } from "node:fs";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import type { JsonSchema } from "../plugin.ts";
import { valueAt, type ValuePath } from "./yaml-source.ts";

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

const PIPELINE_SCHEMA_URL = new URL("../../schemas/pipeline.schema.json", import.meta.url);

/** A schema error at a value path, in words that name the offending key or value and what is allowed. */
export interface SchemaIssue {
  path: ValuePath;
  /** True when the position to report is the key rather than the value (unknown keys). */
  atKey: boolean;
  message: string;
}

function makeAjv(useDefaults: boolean): Ajv {
  // verbose: errors carry their parentSchema, from which messages list the allowed keys and forms.
  const ajv = new Ajv({ allErrors: true, strict: false, useDefaults, verbose: true });
  addFormats(ajv);
  return ajv;
}

const pipelineAjv = makeAjv(false);
const paramsAjv = makeAjv(true);
let pipelineValidator: ValidateFunction | undefined;

export function validatePipelineShape(value: unknown): SchemaIssue[] {
  pipelineValidator ??= pipelineAjv.compile(JSON.parse(readFileSync(PIPELINE_SCHEMA_URL, "utf8")));
  if (pipelineValidator(value)) return [];
  return describeErrors(pipelineValidator.errors ?? [], value);
}

const paramValidators = new WeakMap<JsonSchema, ValidateFunction>();

/** Compiles (once per schema object) a validator that applies the schema's defaults in place. */
export function compileParamsSchema(schema: JsonSchema): ValidateFunction {
  let validate = paramValidators.get(schema);
  if (!validate) {
    validate = paramsAjv.compile(schema);
    paramValidators.set(schema, validate);
  }
  return validate;
}

/** Validates params in place (defaults are filled in) and returns the issues. */
export function validateParams(schema: JsonSchema, params: unknown): SchemaIssue[] {
  const validate = compileParamsSchema(schema);
  if (validate(params)) return [];
  return describeErrors(validate.errors ?? [], params);
}

/**
 * Turns ajv errors into issues. `anyOf`/`oneOf` produce one error per branch plus a summary.
 * Only the summary is kept, with the allowed forms listed, so the user reads one line per problem.
 */
export function describeErrors(errors: ErrorObject[], root: unknown): SchemaIssue[] {
  const unionPaths = new Set(
    errors.filter((e) => e.keyword === "anyOf" || e.keyword === "oneOf").map((e) => e.instancePath),
  );
  const issues: SchemaIssue[] = [];
  const seen = new Set<string>();

  for (const error of errors) {
    const insideUnion = error.keyword !== "anyOf" && error.keyword !== "oneOf" && unionPaths.has(error.instancePath);
    if (insideUnion) continue;
    const issue = describeError(error, root);
    const dedupeKey = `${issue.path.join("/")}|${issue.message}`;
    if (seen.has(dedupeKey)) continue;
    seen.add(dedupeKey);
    issues.push(issue);
  }
  return issues;
}

function describeError(error: ErrorObject, root: unknown): SchemaIssue {
  const path = pointerToPath(error.instancePath);
  const where = path.length > 0 ? `'${path.join(".")}'` : "the file";
  const value = valueAt(root, path);
  const shown = JSON.stringify(value);

  switch (error.keyword) {
    case "additionalProperties": {
      const key = (error.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys(propertiesOf(error.parentSchema)).join(", ");
      return { path: [...path, key], atKey: true, message: `unknown key '${key}' in ${where}${allowed ? `; allowed keys: ${allowed}` : ""}` };
    }
    case "required": {
      const missing = (error.params as { missingProperty: string }).missingProperty;
      return { path, atKey: false, message: `missing required key '${missing}' in ${where}` };
    }
    case "propertyNames": {
      const name = (error.params as { propertyName: string }).propertyName;
      return { path: [...path, name], atKey: true, message: `invalid name '${name}' in ${where}: ${error.message}` };
    }
    case "anyOf":
    case "oneOf":
      return { path, atKey: false, message: `invalid value ${shown} for ${where}: ${describeAllowed(error.parentSchema)}` };
    case "enum": {
      const allowed = (error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(", ");
      return { path, atKey: false, message: `invalid value ${shown} for ${where}; allowed values: ${allowed}` };
    }
    case "const": {
      const allowed = JSON.stringify((error.params as { allowedValue: unknown }).allowedValue);
      return { path, atKey: false, message: `invalid value ${shown} for ${where}; the only allowed value is ${allowed}` };
    }
    default:
      return { path, atKey: false, message: `invalid value ${shown} for ${where}: ${error.message}` };
  }
}

function describeAllowed(schema: unknown): string {
  const branches = ((schema as { anyOf?: unknown[]; oneOf?: unknown[] }).anyOf ?? (schema as { oneOf?: unknown[] }).oneOf ?? []) as Record<string, unknown>[];
  const forms = branches.map((branch) => {
    if (branch.$ref) return `an expression \${{ ... }}`;
    if (branch.enum) return (branch.enum as unknown[]).map((v) => JSON.stringify(v)).join(" | ");
    if (branch.const !== undefined) return JSON.stringify(branch.const);
    if (branch.pattern) return `a ${branch.type ?? "value"} matching ${branch.pattern}`;
    return `a ${Array.isArray(branch.type) ? branch.type.join(" or ") : (branch.type ?? "value")}`;
  });
  return `expected ${forms.join(", or ")}`;
}

function propertiesOf(schema: unknown): Record<string, unknown> {
  return ((schema as { properties?: Record<string, unknown> } | undefined)?.properties) ?? {};
}

function pointerToPath(pointer: string): ValuePath {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

