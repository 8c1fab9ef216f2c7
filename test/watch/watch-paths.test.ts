import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { compilePipeline } from "../../engine/pipeline/compile.ts";
import { watchedPathsOf } from "../../engine/watch/watch-paths.ts";
import { Workspace } from "../helpers/workspace.ts";

test("watched paths of a pipeline", async () => {
  const ws = new Workspace();
  mkdirSync(ws.path("data/scans"), { recursive: true });
  writeFileSync(ws.path("data/scans/case1.nii"), "");
  mkdirSync(ws.path(".segsweep"), { recursive: true });
  const file = ws.write("p.yaml", `version: 1
stages:
  a:
    uses: ./write-text.ts
    with: { text: "${ws.path("data/scans")}", count_file: missing.txt }
  b:
    uses: ./write-text.ts
    with: { text: ".segsweep" }
    inputs: { parts: a.out }
  c:
    uses: ./write-text.ts
    with: { text: "." }
`);
  const graph = await compilePipeline(file);
  const paths = watchedPathsOf(graph, ws.path(".segsweep"), ws.dir);

  assert.equal(paths.pipelineFile, file);
  assert.deepEqual(paths.sourceFiles, [ws.path("helper.ts"), ws.path("write-text.ts")]);
  // The data folder is watched; a path that does not exist, the cache and a folder holding the
  // cache (".") are not.
  assert.deepEqual(paths.dataPaths, [ws.path("data/scans")]);
});
