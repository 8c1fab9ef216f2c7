/**
 * Compiling a pipeline file into a task graph: parse with positions, validate the shape,
 * resolve params (profiles, then `--set`), load plugins, expand matrices, interpolate and
 * validate each cell's params, resolve refs and check for cycles.
 *
 * Every problem of the file is collected and reported at once with its file:line:column.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { JsonValue, MatrixCell, Resources } from "../plugin.ts";
import type { StageInfo, Task, TaskGraph } from "../plan/task-graph.ts";
import { IssueList } from "./errors.ts";
import { ExpressionError, hasExpression, interpolate, type ExpressionScope } from "./expressions.ts";
import { expandMatrix, pairCells, taskIdOf } from "./matrix.ts";
import { loadPlugin, resolvePluginFile, type LoadedPlugin } from "./plugins.ts";
import { applyOverrides, resolveParams, type ParamOverride } from "./params.ts";
import { validateParams, validatePipelineShape } from "./schema.ts";
import { findCycle } from "./cycles.ts";
import { valueAt, YamlSource, type ValuePath } from "./yaml-source.ts";

export interface CompileOptions {
  /** `--set NAME=VALUE` overrides, applied after profiles. */
  overrides?: ParamOverride[];
}

interface RawStage {
  uses: string;
  with?: Record<string, JsonValue>;
  inputs?: Record<string, string>;
  matrix?: Record<string, JsonValue>;
  resources?: Record<string, JsonValue>;
  retries?: number;
  timeout?: number | string;
}

/** Default resources of a task whose plugin and stage set none. */
const DEFAULT_RESOURCES: Resources = { cpu: 1, gpu: 0, memory_mb: 0 };

export async function compilePipeline(file: string, options: CompileOptions = {}): Promise<TaskGraph> {
  const pipelineFile = resolve(file);
  const text = await readPipelineText(pipelineFile);
  const issues = new IssueList();
  const source = YamlSource.parse(pipelineFile, text, issues);
  const doc = source.value;

  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    issues.add(source.positionOf([]), "a pipeline file must be a YAML mapping with 'version' and 'stages'");
    issues.throwIfAny();
  }
  for (const issue of validatePipelineShape(doc)) {
    issues.add(source.positionOf(issue.path, issue.atKey), issue.message);
  }

  const raw = doc as { params?: Record<string, JsonValue>; profiles?: Record<string, { params?: Record<string, JsonValue> }>; stages?: Record<string, RawStage> };
  const params = resolveParams(raw.params ?? {}, raw.profiles ?? {}, source, issues);
  applyOverrides(params, raw.profiles ?? {}, options.overrides ?? [], issues, pipelineFile);

  const rawStages = isMapping(raw.stages) ? (raw.stages as Record<string, RawStage>) : {};
  const plugins = await loadStagePlugins(rawStages, pipelineFile, source, issues);
  const cellsByStage = expandStageMatrices(rawStages, params, source, issues);
  const stages = buildStageInfos(rawStages, plugins, cellsByStage, source, issues);
  const hasCycle = checkCycles(stages, source, issues);

  // Tasks are built even when earlier checks failed, so param errors are reported in the same pass.
  const stageTaskIds = new Map(stages.map((stage) => [stage.id, stage.taskIds]));
  const tasks = new Map<string, Task>();
  for (const stage of hasCycle ? stages : topologicalStages(stages)) {
    const loaded = plugins.get(stage.id);
    if (!loaded) continue;
    for (const task of buildTasks(stage, rawStages[stage.id], loaded, cellsByStage, stageTaskIds, params, source, issues)) {
      tasks.set(task.id, task);
    }
  }
  issues.throwIfAny();

  return {
    pipelineFile,
    pipelineDigest: createHash("sha256").update(text).digest("hex"),
    params,
    stages,
    tasks,
    order: [...tasks.keys()],
  };
}

async function readPipelineText(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "file not found" : (error as Error).message;
    throw new Error(`cannot read pipeline ${file}: ${reason}`);
  }
}

async function loadStagePlugins(
  rawStages: Record<string, RawStage>,
  pipelineFile: string,
  source: YamlSource,
  issues: IssueList,
): Promise<Map<string, LoadedPlugin>> {
  const plugins = new Map<string, LoadedPlugin>();
  for (const [stageId, stage] of Object.entries(rawStages)) {
    if (!isMapping(stage) || typeof stage.uses !== "string") continue;
    try {
      const entryFile = resolvePluginFile(stage.uses, pipelineFile);
      plugins.set(stageId, await loadPlugin(entryFile));
    } catch (error) {
      issues.add(source.positionOf(["stages", stageId, "uses"]), (error as Error).message);
    }
  }
  return plugins;
}

function expandStageMatrices(
  rawStages: Record<string, RawStage>,
  params: Record<string, JsonValue>,
  source: YamlSource,
  issues: IssueList,
): Map<string, MatrixCell[]> {
  const cellsByStage = new Map<string, MatrixCell[]>();
  for (const [stageId, stage] of Object.entries(rawStages)) {
    if (!isMapping(stage)) continue;
    if (!isMapping(stage.matrix)) {
      cellsByStage.set(stageId, [{}]);
      continue;
    }
    const path: ValuePath = ["stages", stageId, "matrix"];
    const scope: ExpressionScope = { params };
    const matrix = interpolateAt(stage.matrix as JsonValue, scope, path, source, issues) as Record<string, JsonValue>;
    const { include, exclude, ...axes } = matrix;

    const axisValues: Record<string, JsonValue[]> = {};
    for (const [axis, values] of Object.entries(axes)) {
      if (!Array.isArray(values)) {
        issues.add(source.positionOf([...path, axis]), `matrix axis '${axis}' must be a list, got ${JSON.stringify(values)}`);
      } else if (values.length === 0) {
        issues.add(source.positionOf([...path, axis]), `matrix axis '${axis}' is empty; give at least one value or remove the axis`);
      } else {
        axisValues[axis] = values;
      }
    }
    const cells = expandMatrix({
      axes: axisValues,
      include: (Array.isArray(include) ? include : []) as MatrixCell[],
      exclude: (Array.isArray(exclude) ? exclude : []) as MatrixCell[],
    });
    if (cells.length === 0 && Object.keys(axisValues).length === Object.keys(axes).length) {
      issues.add(source.positionOf(path), `the matrix of stage '${stageId}' has no cells left after 'exclude'`);
    }
    cellsByStage.set(stageId, cells);
  }
  return cellsByStage;
}

function buildStageInfos(
  rawStages: Record<string, RawStage>,
  plugins: Map<string, LoadedPlugin>,
  cellsByStage: Map<string, MatrixCell[]>,
  source: YamlSource,
  issues: IssueList,
): StageInfo[] {
  const stages: StageInfo[] = [];
  for (const [stageId, stage] of Object.entries(rawStages)) {
    if (!isMapping(stage)) continue;
    const dependsOn = checkInputs(stageId, stage, rawStages, plugins, source, issues);
    const cells = cellsByStage.get(stageId) ?? [{}];
    stages.push({
      id: stageId,
      uses: stage.uses,
      taskIds: cells.map((cell) => taskIdOf(stageId, cell)),
      dependsOn,
      hasMatrix: isMapping(stage.matrix),
    });
  }
  return stages;
}

/** Checks a stage's `inputs:` against its plugin and the upstream plugins; returns upstream ids. */
function checkInputs(
  stageId: string,
  stage: RawStage,
  rawStages: Record<string, RawStage>,
  plugins: Map<string, LoadedPlugin>,
  source: YamlSource,
  issues: IssueList,
): string[] {
  const plugin = plugins.get(stageId)?.plugin;
  const inputs = isMapping(stage.inputs) ? (stage.inputs as Record<string, string>) : {};
  const dependsOn = new Set<string>();

  for (const [name, ref] of Object.entries(inputs)) {
    const path: ValuePath = ["stages", stageId, "inputs", name];
    if (plugin && !(name in plugin.inputs)) {
      issues.add(source.positionOf(path, true), `plugin '${plugin.name}' has no input '${name}'; its inputs: ${Object.keys(plugin.inputs).join(", ") || "none"}`);
    }
    if (typeof ref !== "string" || !ref.includes(".")) continue;
    const [upstreamId, output] = splitRef(ref);
    if (!(upstreamId in rawStages)) {
      issues.add(source.positionOf(path), `unknown stage '${upstreamId}' in ref '${ref}'; stages: ${Object.keys(rawStages).join(", ")}`);
      continue;
    }
    const upstream = plugins.get(upstreamId)?.plugin;
    if (upstream && !(output in upstream.outputs)) {
      issues.add(source.positionOf(path), `stage '${upstreamId}' (plugin '${upstream.name}') has no output '${output}' in ref '${ref}'; its outputs: ${Object.keys(upstream.outputs).join(", ")}`);
    }
    dependsOn.add(upstreamId);
  }

  if (plugin) {
    for (const [name, spec] of Object.entries(plugin.inputs)) {
      if (!spec.optional && !(name in inputs)) {
        issues.add(source.positionOf(["stages", stageId], true), `stage '${stageId}' is missing input '${name}' (${spec.description}); add inputs: { ${name}: STAGE.OUTPUT }`);
      }
    }
  }
  return [...dependsOn];
}

function checkCycles(stages: StageInfo[], source: YamlSource, issues: IssueList): boolean {
  const cycle = findCycle(stages);
  if (!cycle) return false;
  issues.add(source.positionOf(["stages", cycle[0], "inputs"]), `cycle between stages: ${cycle.join(" -> ")}; a stage cannot depend on its own outputs`);
  return true;
}

function topologicalStages(stages: StageInfo[]): StageInfo[] {
  const byId = new Map(stages.map((stage) => [stage.id, stage]));
  const done = new Set<string>();
  const ordered: StageInfo[] = [];
  const visit = (stage: StageInfo): void => {
    if (done.has(stage.id)) return;
    done.add(stage.id);
    for (const upstream of stage.dependsOn) visit(byId.get(upstream)!);
    ordered.push(stage);
  };
  stages.forEach(visit);
  return ordered;
}

function buildTasks(
  stage: StageInfo,
  raw: RawStage,
  loaded: LoadedPlugin,
  cellsByStage: Map<string, MatrixCell[]>,
  stageTaskIds: Map<string, string[]>,
  params: Record<string, JsonValue>,
  source: YamlSource,
  issues: IssueList,
): Task[] {
  const cells = cellsByStage.get(stage.id) ?? [{}];
  const seenMessages = new Set<string>();
  const reportOnce = (path: ValuePath, message: string, atKey = false) => {
    const key = `${path.join(".")}|${message}`;
    if (seenMessages.has(key)) return;
    seenMessages.add(key);
    issues.add(source.positionOf(path, atKey), message);
  };

  return cells.map((cell) => {
    const id = taskIdOf(stage.id, cell);
    const scope: ExpressionScope = { params, matrix: stage.hasMatrix ? cell : undefined };
    const withPath: ValuePath = ["stages", stage.id, "with"];
    const taskParams = structuredClone(interpolateAt((raw.with ?? {}) as JsonValue, scope, withPath, source, issues, reportOnce)) as Record<string, JsonValue>;

    for (const issue of validateParams(loaded.plugin.params, taskParams)) {
      // Name the cell only when the value came from an expression, so it can differ per cell.
      const fromExpression = stage.hasMatrix && hasExpression(valueAt(raw.with, issue.path));
      const hint = fromExpression ? ` (in ${id})` : "";
      reportOnce([...withPath, ...issue.path], `${issue.message.replace("the file", "'with'")}${hint}`, issue.atKey);
    }

    return {
      id,
      stageId: stage.id,
      cell,
      uses: raw.uses,
      entryFile: loaded.entryFile,
      plugin: loaded.plugin,
      params: taskParams,
      inputs: resolveTaskInputs(raw, cell, cellsByStage, stageTaskIds),
      resources: resolveResources(raw, loaded, scope, stage.id, source, issues, reportOnce),
      retries: raw.retries ?? 0,
      timeoutMs: parseTimeout(raw.timeout),
    };
  });
}

function resolveTaskInputs(raw: RawStage, cell: MatrixCell, cellsByStage: Map<string, MatrixCell[]>, stageTaskIds: Map<string, string[]>): Task["inputs"] {
  return Object.entries(raw.inputs ?? {}).map(([name, ref]) => {
    const [stageId, output] = splitRef(ref);
    const upstreamCells = cellsByStage.get(stageId) ?? [{}];
    const upstreamIds = stageTaskIds.get(stageId) ?? upstreamCells.map((upstream) => taskIdOf(stageId, upstream));
    const chosen = pairCells(cell, upstreamCells);
    return { name, stageId, output, taskIds: chosen.map((index) => upstreamIds[index]) };
  });
}

function resolveResources(
  raw: RawStage,
  loaded: LoadedPlugin,
  scope: ExpressionScope,
  stageId: string,
  source: YamlSource,
  issues: IssueList,
  reportOnce: (path: ValuePath, message: string) => void,
): Resources {
  const path: ValuePath = ["stages", stageId, "resources"];
  const overrides = interpolateAt((raw.resources ?? {}) as JsonValue, scope, path, source, issues, reportOnce) as Record<string, JsonValue>;
  const resources: Resources = { ...DEFAULT_RESOURCES, ...loaded.plugin.resources };
  for (const key of ["cpu", "gpu", "memory_mb"] as const) {
    const value = overrides[key];
    if (value === undefined) continue;
    if (typeof value !== "number" || value < 0) {
      reportOnce([...path, key], `resources.${key} must be a non-negative number, got ${JSON.stringify(value)}`);
      continue;
    }
    resources[key] = value;
  }
  return resources;
}

/** Parses `90`, `90s`, `30m` or `2h` into milliseconds. */
export function parseTimeout(timeout: number | string | undefined): number | undefined {
  if (timeout === undefined) return undefined;
  if (typeof timeout === "number") return timeout * 1000;
  const match = /^([0-9]+(?:\.[0-9]+)?)(s|m|h)$/.exec(timeout);
  if (!match) return undefined;
  const unit = { s: 1000, m: 60_000, h: 3_600_000 }[match[2] as "s" | "m" | "h"];
  return Number(match[1]) * unit;
}

function interpolateAt(
  value: JsonValue,
  scope: ExpressionScope,
  path: ValuePath,
  source: YamlSource,
  issues: IssueList,
  report?: (path: ValuePath, message: string) => void,
): JsonValue {
  return interpolate(value, scope, (relative, error: ExpressionError) => {
    const full = [...path, ...relative];
    if (report) report(full, error.message);
    else issues.add(source.positionOf(full), error.message);
  });
}

function splitRef(ref: string): [string, string] {
  const dot = ref.indexOf(".");
  return [ref.slice(0, dot), ref.slice(dot + 1)];
}

function isMapping(value: unknown): boolean {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
