/**
 * Builds a `StageContext` for calling a plugin's `run` directly in a unit test, without the
 * engine: inputs are plain directories, outputs are fresh temporary directories, and the item
 * cache computes every item (it caches nothing).
 */
import { mkdtempSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { InputArtifact, MatrixCell, StageContext, StagePlugin } from "../../engine/plugin.ts";
import { digestFiles, linkInto } from "../../engine/cache/files.ts";

export interface TestContextOptions<P> {
  params: P;
  /** Input name to one directory or a list of (directory, cell) pairs for fan-in inputs. */
  inputs?: Record<string, string | { path: string; cell: MatrixCell }[]>;
  cell?: MatrixCell;
  signal?: AbortSignal;
  /** Collects log lines here when given. */
  logLines?: string[];
}

export function makeStageContext<P>(
  plugin: StagePlugin<P>,
  options: TestContextOptions<P>,
): StageContext<P> {
  const root = mkdtempSync(join(tmpdir(), `segsweep-test-${plugin.name}-`));
  const outputs: Record<string, string> = {};
  for (const name of Object.keys(plugin.outputs)) {
    outputs[name] = join(root, "out", name);
    mkdirSync(outputs[name], { recursive: true });
  }
  const scratchDir = join(root, "scratch");
  mkdirSync(scratchDir);

  const inputs: Record<string, InputArtifact[]> = {};
  for (const [name, value] of Object.entries(options.inputs ?? {})) {
    const list = typeof value === "string" ? [{ path: value, cell: {} }] : value;
    inputs[name] = list.map((item, i) => ({
      path: item.path,
      cell: item.cell,
      taskId: `${name}[${i}]`,
      digest: "sha256:test",
    }));
  }

  const lines = options.logLines;
  const record = (level: string) => (message: string) => {
    lines?.push(`${level}: ${message}`);
  };

  return {
    taskId: plugin.name,
    stageId: plugin.name,
    params: options.params,
    cell: options.cell ?? {},
    inputs,
    outputs,
    scratchDir,
    seed: 1,
    resources: { cpu: 2, gpu: 0, memory_mb: 4096 },
    log: { info: record("info"), warn: record("warn"), error: record("error"), debug: record("debug") },
    progress: () => {},
    signal: options.signal ?? new AbortController().signal,
    items: {
      async get(itemId, _digest, compute) {
        const dir = join(root, "items", itemId);
        mkdirSync(dir, { recursive: true });
        await compute(dir);
        return dir;
      },
      linkInto,
      digestFiles,
    },
  };
}
