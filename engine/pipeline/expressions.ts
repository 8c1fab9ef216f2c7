/**
 * `${{ ... }}` expressions in pipeline values.
 *
 * An expression is a dotted path into a scope: `params.NAME[.FIELD...]` or `matrix.AXIS`.
 * A string that is exactly one expression takes the value's own type (a number stays a number,
 * a list stays a list). An expression inside a longer string is converted to text. An unknown
 * name is an error, never an empty string.
 */
import type { JsonValue } from "../plugin.ts";

export type ExpressionScope = Record<string, JsonValue | undefined>;

const WHOLE = /^\$\{\{\s*([^}]*?)\s*\}\}$/;
const EMBEDDED = /\$\{\{\s*([^}]*?)\s*\}\}/g;
const PATH = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$/;

export class ExpressionError extends Error {}

/** Returns true when `value` contains an expression anywhere. */
export function hasExpression(value: unknown): boolean {
  if (typeof value === "string") return value.includes("${{");
  if (Array.isArray(value)) return value.some(hasExpression);
  if (value && typeof value === "object") return Object.values(value).some(hasExpression);
  return false;
}

/** Evaluates one expression body such as `params.spacing`. */
export function evaluatePath(body: string, scope: ExpressionScope): JsonValue {
  if (!PATH.test(body)) {
    throw new ExpressionError(`invalid expression '\${{ ${body} }}': write a dotted name such as params.NAME or matrix.AXIS`);
  }
  const [root, ...fields] = body.split(".");
  if (!(root in scope) || scope[root] === undefined) {
    const roots = Object.keys(scope).filter((k) => scope[k] !== undefined);
    throw new ExpressionError(`unknown name '${root}' in '\${{ ${body} }}'; available here: ${roots.join(", ") || "none"}`);
  }
  let value: JsonValue = scope[root] as JsonValue;
  let walked = root;
  for (const field of fields) {
    const container = value;
    if (container === null || typeof container !== "object" || !(field in container)) {
      const known = container && typeof container === "object" ? Object.keys(container).join(", ") : "none (not a mapping)";
      throw new ExpressionError(`unknown name '${walked}.${field}' in '\${{ ${body} }}'; known fields of ${walked}: ${known}`);
    }
    value = (container as Record<string, JsonValue>)[field];
    walked = `${walked}.${field}`;
  }
  return value;
}

/** Interpolates one string. */
export function interpolateString(text: string, scope: ExpressionScope): JsonValue {
  const whole = WHOLE.exec(text);
  if (whole) return evaluatePath(whole[1], scope);

  return text.replace(EMBEDDED, (_match, body: string) => {
    const value = evaluatePath(body, scope);
    if (value !== null && typeof value === "object") {
      throw new ExpressionError(`'\${{ ${body} }}' is a list or mapping and cannot be part of a longer string; use it as the whole value`);
    }
    return String(value);
  });
}

/**
 * Interpolates every string in `value`, depth first. `onError` receives the path of the string
 * that failed, so the caller can report its source position; the failed string is kept as it is.
 */
export function interpolate(
  value: JsonValue,
  scope: ExpressionScope,
  onError: (path: (string | number)[], error: ExpressionError) => void,
  path: (string | number)[] = [],
): JsonValue {
  if (typeof value === "string") {
    try {
      return interpolateString(value, scope);
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      onError(path, error);
      return value;
    }
  }
  if (Array.isArray(value)) return value.map((item, i) => interpolate(item, scope, onError, [...path, i]));
  if (value && typeof value === "object") {
    const result: Record<string, JsonValue> = {};
    for (const [key, item] of Object.entries(value)) result[key] = interpolate(item, scope, onError, [...path, key]);
    return result;
  }
  return value;
}
