/**
 * The source digest of a plugin: its entry module and every local module it imports,
 * transitively, plus the versions of the npm packages those modules import.
 *
 * Files are hashed byte for byte, with no normalisation: an edit to a comment or to formatting
 * changes the digest and reruns the stage. That is deliberate (a comment-stripping parser could
 * differ from the one that runs the code); the cost is a rerun after cosmetic edits.
 *
 * Imports are found by scanning for `import ... from "x"`, `export ... from "x"`, `import("x")`
 * and `import "x"` with literal specifiers. NOTE: an import built from a computed string is not
 * seen; such a plugin should bump its `version` when that module changes.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

export interface SourceDigest {
  /** Path relative to the project root (or the entry's folder) to sha256 hex of the file. */
  files: Record<string, string>;
  /** npm package name to installed version, for every bare import of those files. */
  packages: Record<string, string>;
}

const IMPORT_PATTERNS = [
  /\bimport\s+(?:type\s+)?[^'"]*?\bfrom\s*["']([^"']+)["']/g,
  /\bexport\s+[^'"]*?\bfrom\s*["']([^"']+)["']/g,
  /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
  /\bimport\s+["']([^"']+)["']/g,
];

/** Per-process cache of file hashes by path, checked against size and mtime. */
const fileCache = new Map<string, { size: number; mtimeMs: number; hex: string; specifiers: string[] }>();
const packageVersionCache = new Map<string, string>();

export function digestPluginSource(entryFile: string, projectRoot: string): SourceDigest {
  const files: Record<string, string> = {};
  const packages: Record<string, string> = {};
  const pending = [resolve(entryFile)];
  const seen = new Set<string>();
  const base = entryFile.startsWith(projectRoot) ? projectRoot : dirname(entryFile);

  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const { hex, specifiers } = readModule(file);
    files[relative(base, file).split("\\").join("/")] = hex;

    for (const specifier of specifiers) {
      if (specifier.startsWith(".")) {
        const target = resolveLocal(dirname(file), specifier);
        if (target) pending.push(target);
      } else if (!specifier.startsWith("node:")) {
        const name = packageName(specifier);
        packages[name] = packageVersion(name, projectRoot);
      }
    }
  }
  return { files, packages };
}

/** Returns the local module files (absolute paths) that the plugin's digest covers. */
export function pluginSourceFiles(entryFile: string, projectRoot: string): string[] {
  const base = entryFile.startsWith(projectRoot) ? projectRoot : dirname(entryFile);
  return Object.keys(digestPluginSource(entryFile, projectRoot).files).map((rel) => join(base, rel));
}

function readModule(file: string): { hex: string; specifiers: string[] } {
  const stat = statSync(file);
  const cached = fileCache.get(file);
  if (cached && cached.size === stat.size && cached.mtimeMs === stat.mtimeMs) return cached;

  const bytes = readFileSync(file);
  const text = bytes.toString("utf8");
  const specifiers = new Set<string>();
  for (const pattern of IMPORT_PATTERNS) {
    for (const match of text.matchAll(pattern)) specifiers.add(match[1]);
  }
  const entry = { size: stat.size, mtimeMs: stat.mtimeMs, hex: createHash("sha256").update(bytes).digest("hex"), specifiers: [...specifiers] };
  fileCache.set(file, entry);
  return entry;
}

/** Resolves a relative specifier the way tsx does: exact, `.js` written for `.ts`, extensionless, folder index. */
function resolveLocal(fromDir: string, specifier: string): string | undefined {
  const target = resolve(fromDir, specifier);
  const candidates = [target, target.replace(/\.js$/, ".ts"), `${target}.ts`, `${target}.js`, join(target, "index.ts"), join(target, "index.js")];
  return candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
}

function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

function packageVersion(name: string, projectRoot: string): string {
  let version = packageVersionCache.get(name);
  if (version !== undefined) return version;
  try {
    const manifest = JSON.parse(readFileSync(join(projectRoot, "node_modules", name, "package.json"), "utf8")) as { version?: string };
    version = manifest.version ?? "unknown";
  } catch {
    version = "not installed";
  }
  packageVersionCache.set(name, version);
  return version;
}
