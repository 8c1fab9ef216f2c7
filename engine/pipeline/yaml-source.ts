/**
 * YAML parsing that keeps source positions, so every later error can name file:line:column.
 *
 * Files are parsed with the YAML 1.2 core schema and no custom tags: a tag such as `!!js/function`
 * or `!include` is an error, never code or a file read.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml";
import { IssueList, type SourcePosition } from "./errors.ts";

/** A path into the parsed value, as ajv and our checks name it: keys and array indices. */
export type ValuePath = (string | number)[];

export class YamlSource {
  readonly file: string;
  readonly value: unknown;
  private readonly document: Document;
  private readonly lineCounter: LineCounter;

  private constructor(file: string, document: Document, lineCounter: LineCounter) {
    this.file = file;
    this.document = document;
    this.lineCounter = lineCounter;
    this.value = document.toJS({ maxAliasCount: 1000 });
  }

  /** Parses `text`; syntax errors, duplicate keys and tags go into `issues`. */
  static parse(file: string, text: string, issues: IssueList): YamlSource {
    const lineCounter = new LineCounter();
    const document = parseDocument(text, {
      lineCounter,
      schema: "core",
      customTags: [],
      uniqueKeys: true,
      prettyErrors: false,
    });
    const source = new YamlSource(file, document, lineCounter);

    for (const error of document.errors) {
      const message = error.code === "DUPLICATE_KEY" ? `duplicate key: ${firstLine(error.message)}` : firstLine(error.message);
      issues.add(source.positionAt(error.pos[0]), message);
    }
    for (const warning of document.warnings) {
      if (warning.code === "TAG_RESOLVE_FAILED") {
        issues.add(source.positionAt(warning.pos[0]), `custom YAML tags are not allowed: ${firstLine(warning.message)}; write plain values`);
      }
    }
    return source;
  }

  positionAt(offset: number): SourcePosition {
    const { line, col } = this.lineCounter.linePos(offset);
    return { file: this.file, line, column: col };
  }

  /**
   * Returns the position of the value at `path`, or of its key when `key` is true. Falls back
   * to the nearest ancestor that exists, so errors about missing fields point at their parent.
   */
  positionOf(path: ValuePath, key = false): SourcePosition {
    let node: unknown = this.document.contents;
    let best: number = rangeStart(node) ?? 0;

    for (const segment of path) {
      const next = childOf(node, segment);
      if (!next) break;
      node = next.value;
      const start = key && segment === path[path.length - 1] ? rangeStart(next.key) : rangeStart(next.value);
      best = start ?? rangeStart(next.key) ?? best;
    }
    return this.positionAt(best);
  }
}

/** Returns the plain value at `path` inside `root`, or undefined where the path leaves it. */
export function valueAt(root: unknown, path: ValuePath): unknown {
  let value = root;
  for (const segment of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

function childOf(node: unknown, segment: string | number): { key: unknown; value: unknown } | undefined {
  if (isMap(node)) {
    for (const item of node.items) {
      if (isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment)) {
        return { key: item.key, value: item.value };
      }
    }
    return undefined;
  }
  if (isSeq(node) && typeof segment === "number") {
    const value = node.items[segment];
    return value === undefined ? undefined : { key: undefined, value };
  }
  return undefined;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | undefined)?.range;
  return range ? range[0] : undefined;
}

function firstLine(text: string): string {
  return text.split("\n")[0];
}
