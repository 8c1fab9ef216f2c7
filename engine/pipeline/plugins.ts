/**
 * Finding and loading stage plugins: built-in ones by name from `stages/<name>/index.ts`, local
 * ones by a path ending in `.ts` or `.js`, relative to the pipeline file.
 */
import { existsSync, readdirSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { StagePlugin } from "../plugin.ts";
import { compileParamsSchema } from "./schema.ts";

/** Folder of the built-in stages. */
export const BUILTIN_STAGES_DIR = fileURLToPath(new URL("../../stages/", import.meta.url));

export interface LoadedPlugin {
  plugin: StagePlugin;
  /** Absolute path of the plugin's entry module; the source digest starts here. */
  entryFile: string;
}

const loaded = new Map<string, Promise<LoadedPlugin>>();

/** Returns true for `uses:` values that name a file rather than a built-in plugin. */
export function isPluginPath(uses: string): boolean {
  return uses.startsWith("./") || uses.startsWith("../") || isAbsolute(uses) || /\.(ts|js|mjs)$/.test(uses);
}

/** Resolves a `uses:` value to the plugin's entry file, or throws with what exists instead. */
export function resolvePluginFile(uses: string, pipelineFile: string): string {
  if (isPluginPath(uses)) {
    const file = resolve(dirname(pipelineFile), uses);
    if (!existsSync(file)) throw new Error(`plugin file '${uses}' not found (looked at ${file})`);
    return file;
  }
  const file = resolve(BUILTIN_STAGES_DIR, uses, "index.ts");
  if (!existsSync(file)) {
    throw new Error(`unknown plugin '${uses}'; built-in plugins: ${listBuiltinPlugins().join(", ")}; or give a path such as ./my-stage.ts`);
  }
  return file;
}

export function listBuiltinPlugins(): string[] {
  return readdirSync(BUILTIN_STAGES_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(resolve(BUILTIN_STAGES_DIR, entry.name, "index.ts")))
    .map((entry) => entry.name)
    .sort();
}

/** Imports a plugin module once per process and checks that its default export is a plugin. */
export function loadPlugin(entryFile: string): Promise<LoadedPlugin> {
  let promise = loaded.get(entryFile);
  if (!promise) {
    promise = importPlugin(entryFile);
    loaded.set(entryFile, promise);
  }
  return promise;
}

async function importPlugin(entryFile: string): Promise<LoadedPlugin> {
  const module = (await import(pathToFileURL(entryFile).href)) as { default?: unknown };
  const plugin = module.default as StagePlugin | undefined;
  const problems = checkPluginShape(plugin);
  if (problems.length > 0) {
    throw new Error(`${entryFile} is not a valid stage plugin: ${problems.join("; ")}; export default definePlugin({...}) from engine/plugin.ts`);
  }
  try {
    compileParamsSchema(plugin!.params);
  } catch (error) {
    throw new Error(`${entryFile}: the params schema does not compile: ${(error as Error).message}`);
  }
  return { plugin: plugin!, entryFile };
}

function checkPluginShape(plugin: StagePlugin | undefined): string[] {
  if (!plugin || typeof plugin !== "object") return ["no default export"];
  const problems: string[] = [];
  if (typeof plugin.name !== "string" || plugin.name === "") problems.push("missing name");
  if (typeof plugin.version !== "string") problems.push("missing version (a string)");
  if (typeof plugin.run !== "function") problems.push("missing run(ctx)");
  if (!plugin.params || typeof plugin.params !== "object") problems.push("missing params schema");
  if (!plugin.inputs || typeof plugin.inputs !== "object") problems.push("missing inputs");
  if (!plugin.outputs || typeof plugin.outputs !== "object" || Object.keys(plugin.outputs).length === 0) {
    problems.push("missing outputs (at least one)");
  }
  return problems;
}
