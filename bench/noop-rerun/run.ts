/**
 * bench/noop-rerun: engine overhead when everything is cached.
 *
 * Generates a pipeline of 5 chained stages x 100 matrix cells (500 tasks) with a trivial plugin,
 * fills the cache once with the inline executor, then times reruns that find every task cached:
 *   - engine time: compile + plan + cache lookups + provenance record, measured in this process
 *     with the same functions `segsweep run` calls (target: <= 0.3 s on a 2-core machine);
 *   - CLI wall time: the whole `segsweep run` process, Node and tsx start-up included, with the
 *     start-up of a bare `node -e ""` measured in the same run as the reference.
 *
 * Usage: npx tsx bench/noop-rerun/run.ts [--cells 100] [--stages 5] [--repeats 5]
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { compilePipeline } from "../../engine/pipeline/compile.ts";
import { schedule } from "../../engine/execute/scheduler.ts";
import { newRunId, writeRunRecord } from "../../engine/execute/provenance.ts";
import { Store } from "../../engine/cache/store.ts";

const CLI = fileURLToPath(new URL("../../engine/cli/bin.js", import.meta.url));
const PLUGIN_CONTRACT = fileURLToPath(new URL("../../engine/plugin.ts", import.meta.url));

const { values } = parseArgs({ options: { cells: { type: "string", default: "100" }, stages: { type: "string", default: "5" }, repeats: { type: "string", default: "5" } } });
const cells = Number(values.cells);
const stageCount = Number(values.stages);
const repeats = Number(values.repeats);

function writeWorkspace(): { dir: string; pipeline: string } {
  const dir = mkdtempSync(join(tmpdir(), "segsweep-noop-"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  writeFileSync(join(dir, "echo.ts"), `import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { definePlugin } from ${JSON.stringify(PLUGIN_CONTRACT)};
export default definePlugin<{ value: number }>({
  name: "echo", version: "1", description: "writes its value",
  params: { type: "object", properties: { value: { type: "integer" } }, required: ["value"] },
  inputs: { previous: { description: "upstream cell", optional: true } },
  outputs: { out: { description: "value.txt", kind: "text" } },
  async run(ctx) { await writeFile(join(ctx.outputs.out, "value.txt"), String(ctx.params.value)); },
});
`);
  const lines = ["version: 1", "stages:"];
  for (let s = 0; s < stageCount; s++) {
    lines.push(`  s${s}:`, "    uses: ./echo.ts", `    matrix: { cell: [${Array.from({ length: cells }, (_, i) => i).join(", ")}] }`, `    with: { value: "\${{ matrix.cell }}" }`);
    if (s > 0) lines.push(`    inputs: { previous: s${s - 1}.out }`);
  }
  const pipeline = join(dir, "pipeline.yaml");
  writeFileSync(pipeline, `${lines.join("\n")}\n`);
  return { dir, pipeline };
}

async function engineTimeMs(pipeline: string, cacheDir: string): Promise<{ ms: number; cached: number }> {
  const started = performance.now();
  const graph = await compilePipeline(pipeline);
  const store = new Store(cacheDir);
  await store.init();
  const outcomes = await schedule(graph, store, undefined, { mode: "run", signal: new AbortController().signal });
  await writeRunRecord(store, newRunId(), graph, outcomes, new Date());
  return { ms: performance.now() - started, cached: outcomes.filter((o) => o.status === "cached").length };
}

function wallMs(command: string, args: string[], cwd: string): number {
  const started = performance.now();
  execFileSync(command, args, { cwd, stdio: "ignore", env: { ...process.env, SEGSWEEP_CACHE_DIR: join(cwd, ".segsweep") } });
  return performance.now() - started;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const { dir, pipeline } = writeWorkspace();
const cacheDir = join(dir, ".segsweep");
const total = cells * stageCount;
console.log(`noop-rerun: ${stageCount} stages x ${cells} cells = ${total} tasks in ${dir}`);

const fillStarted = performance.now();
execFileSync(process.execPath, [CLI, "run", pipeline, "--executor", "inline", "--cache-dir", cacheDir], { cwd: dir, stdio: "ignore" });
console.log(`first run (inline executor, ${total} tasks ran): ${((performance.now() - fillStarted) / 1000).toFixed(1)} s`);

// One warm-up so that module compilation caches are filled, as on a user's second run.
await engineTimeMs(pipeline, cacheDir);
const engine: number[] = [];
for (let i = 0; i < repeats; i++) {
  const { ms, cached } = await engineTimeMs(pipeline, cacheDir);
  if (cached !== total) throw new Error(`expected ${total} cached tasks, got ${cached}`);
  engine.push(ms);
}
const cli = Array.from({ length: repeats }, () => wallMs(process.execPath, [CLI, "run", pipeline], dir));
const bareNode = Array.from({ length: repeats }, () => wallMs(process.execPath, ["-e", ""], dir));

const engineMedian = median(engine);
console.log(`engine time, all ${total} tasks cached: median ${engineMedian.toFixed(0)} ms over ${repeats} runs (target <= 300 ms: ${engineMedian <= 300 ? "met" : "NOT met"}, ${(engineMedian / 300).toFixed(2)}x of target)`);
console.log(`segsweep run wall time: median ${median(cli).toFixed(0)} ms; bare node start-up: ${median(bareNode).toFixed(0)} ms (ratio ${(median(cli) / median(bareNode)).toFixed(1)}x)`);
