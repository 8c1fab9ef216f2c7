/**
 * The stage plugin contract: the only engine module that stages import.
 *
 * A plugin is a module whose default export is a `StagePlugin`. The engine finds plugins in
 * `stages/<name>/index.ts` by name, or loads a pipeline's `uses: ./path/to/plugin.ts`.
 *
 * Artifacts are directories. The engine creates one empty output directory per declared output,
 * the plugin fills it, and the engine then writes `artifact.json` into it, hashes it and moves it
 * into the content-addressed store. Input directories are in the store and must not be written.
 */

/** A JSON Schema (draft 2020-12 subset that ajv understands) for a plugin's `with:` params. */
export type JsonSchema = Record<string, unknown>;

/** JSON-compatible value as it appears in a pipeline file after interpolation. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** One matrix cell: axis name to value, for example `{ granularity: "organs", seed: 1 }`. */
export type MatrixCell = Record<string, JsonValue>;

/** Resources a task holds while it runs; the local executor schedules by these slots. */
export interface Resources {
  /** CPU cores (threads the task may use). */
  cpu: number;
  /** GPUs; the executor sets `CUDA_VISIBLE_DEVICES` for the task. */
  gpu: number;
  /** Resident memory in MiB. */
  memory_mb: number;
}

export interface InputSpec {
  description: string;
  /** An optional input may be left out of `inputs:` in the pipeline. */
  optional?: boolean;
}

export interface OutputSpec {
  description: string;
  /** Artifact kind written to `artifact.json`, for example `ct-cases`, `tfjs-model`, `metrics`. */
  kind: string;
}

/**
 * One upstream artifact given to a task. A plain ref gives one; a fan-in ref (a non-matrix stage
 * reading a matrix stage) gives one per upstream cell, in the cell order of the upstream matrix.
 */
export interface InputArtifact {
  /** Read-only directory in the store. */
  path: string;
  /** Id of the task that produced it, for example `train[granularity=organs,loss=ce,seed=1]`. */
  taskId: string;
  /** Matrix cell of the producing task; `{}` for a non-matrix stage. */
  cell: MatrixCell;
  /** Content digest of the artifact directory (`sha256:<hex>`). */
  digest: string;
}

export interface StageLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
}

/**
 * Per-item caching inside one task, for stages whose work is per case (resample, label-map):
 * adding a case to a dataset then reruns only that case.
 */
export interface ItemCache {
  /**
   * Returns the cached directory for `itemId` when an earlier run computed it from the same
   * plugin source, params and `itemDigest`; otherwise runs `compute` on a fresh directory and
   * stores it. The result is read-only: copy or hard-link from it (see `linkInto`).
   *
   * @param itemId readable id used in logs, for example the case id.
   * @param itemDigest digest of everything this item's result depends on beyond the plugin
   *   source and params, usually the digest of the item's input files (`digestFiles`).
   */
  get(itemId: string, itemDigest: string, compute: (dir: string) => Promise<void>): Promise<string>;

  /** Hard-links (or copies, across file systems) every file of `fromDir` into `toDir`. */
  linkInto(fromDir: string, toDir: string): Promise<void>;

  /** Returns a `sha256:<hex>` digest of the named files' contents, in the given order. */
  digestFiles(paths: string[]): Promise<string>;
}

export interface StageContext<P = Record<string, unknown>> {
  /** Task id, for example `train[granularity=organs,loss=ce,seed=1]`. */
  taskId: string;
  /** Stage id in the pipeline (the task id without its cell). */
  stageId: string;
  /** Params after interpolation, defaults from the param schema applied and validation passed. */
  params: P;
  /** The matrix cell of this task; `{}` for a non-matrix stage. */
  cell: MatrixCell;
  /** Input artifacts by input name. A missing optional input is an empty array. */
  inputs: Record<string, InputArtifact[]>;
  /** Empty output directories by output name, to be filled by `run`. */
  outputs: Record<string, string>;
  /** Scratch directory, removed after the task; not part of any artifact. */
  scratchDir: string;
  /**
   * A 32-bit seed derived from the task's params and cell, stable across runs and covered by the
   * task key. Plugins whose randomness is part of the experiment should take it from an
   * explicit `seed` param instead.
   */
  seed: number;
  /** The task's resources as scheduled (threads to use, GPUs granted). */
  resources: Resources;
  log: StageLogger;
  /** Reports progress in [0, 1] with an optional short message; shown in the live view. */
  progress(fraction: number, message?: string): void;
  /** Aborted on Ctrl-C, SIGTERM, timeout or when watch mode cancels a stale task. */
  signal: AbortSignal;
  items: ItemCache;
}

/** Summary written into each output's `artifact.json`, for `cache ls` and the report. */
export type OutputSummaries = Record<string, Record<string, JsonValue>>;

export interface StagePlugin<P = Record<string, unknown>> {
  /** Name used in `uses:`; equal to the folder name for built-in stages. */
  name: string;
  /**
   * Version, part of every task key. Bump it for changes whose effect the source digest cannot
   * see, such as a changed file format in a dependency.
   */
  version: string;
  description: string;
  /** Schema of `with:`; validated with ajv, defaults applied (`useDefaults`). */
  params: JsonSchema;
  inputs: Record<string, InputSpec>;
  outputs: Record<string, OutputSpec>;
  /** Default resources; a pipeline's `resources:` overrides them field by field. */
  resources?: Partial<Resources>;
  /**
   * Facts about the runtime that change this stage's results, part of its task key: for example
   * the TF.js version and the backend that `auto` resolves to. Called once per task at planning
   * time with the task's params; keep it fast and free of side effects.
   */
  runtimeFacts?(params: P): Promise<Record<string, string>> | Record<string, string>;
  run(ctx: StageContext<P>): Promise<OutputSummaries | void>;
}

/** Identity helper that gives plugin authors type checking on the definition. */
export function definePlugin<P = Record<string, unknown>>(plugin: StagePlugin<P>): StagePlugin<P> {
  return plugin;
}

/** Returns the single artifact of an input, or throws when the ref fanned in several. */
export function singleInput(ctx: StageContext<unknown>, name: string): InputArtifact {
  const artifacts = ctx.inputs[name];
  if (!artifacts || artifacts.length !== 1) {
    const count = artifacts ? artifacts.length : 0;
    throw new Error(
      `${ctx.taskId}: input '${name}' must be one artifact, got ${count}; ` +
        `refer to a single stage cell, or pair the matrices on a shared axis`,
    );
  }
  return artifacts[0];
}
