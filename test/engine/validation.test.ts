import { test } from "node:test";
import assert from "node:assert/strict";
import { compilePipeline } from "../../engine/pipeline/compile.ts";
import { PipelineError } from "../../engine/pipeline/errors.ts";
import { parseOverride } from "../../engine/pipeline/params.ts";
import { Workspace } from "../helpers/workspace.ts";

const ws = new Workspace();

/** Compiles `text` and returns its issues as `line:column message` strings. */
async function issuesOf(text: string, sets: string[] = []): Promise<string[]> {
  const file = ws.write("p.yaml", text);
  try {
    await compilePipeline(file, { overrides: sets.map(parseOverride) });
  } catch (error) {
    if (!(error instanceof PipelineError)) throw error;
    for (const issue of error.issues) assert.equal(issue.position.file, file);
    return error.issues.map((i) => `${i.position.line}:${i.position.column} ${i.message}`);
  }
  return [];
}

function assertIssue(issues: string[], position: string, fragment: string): void {
  const hit = issues.find((issue) => issue.startsWith(`${position} `) && issue.includes(fragment));
  assert.ok(hit, `expected '${fragment}' at ${position}; got:\n${issues.join("\n")}`);
}

test("valid pipeline compiles", async () => {
  const issues = await issuesOf(`version: 1
stages:
  a:
    uses: ./write-text.ts
    with: { text: hi }
`);
  assert.deepEqual(issues, []);
});

test("yaml that is not a mapping", async () => {
  const issues = await issuesOf("- just\n- a list\n");
  assertIssue(issues, "1:1", "must be a YAML mapping");
});

test("duplicate keys", async () => {
  const issues = await issuesOf(`version: 1
stages:
  a:
    uses: ./write-text.ts
    with: { text: hi }
  a:
    uses: ./write-text.ts
`);
  assertIssue(issues, "6:3", "duplicate key");
});

test("custom tags are rejected", async () => {
  const issues = await issuesOf(`version: 1
stages:
  a:
    uses: ./write-text.ts
    with: { text: !include secret.txt }
`);
  assertIssue(issues, "5:19", "custom YAML tags are not allowed");
});

test("unknown key names allowed keys", async () => {
  const issues = await issuesOf(`version: 1
stages:
  a:
    uses: ./write-text.ts
    wiht: { text: hi }
`);
  assertIssue(issues, "5:5", "unknown key 'wiht'");
  assert.ok(issues.some((i) => i.includes("allowed keys: uses, description, with, inputs")), issues.join("\n"));
});

test("unknown stage in ref", async () => {
  const issues = await issuesOf(`version: 1
stages:
  a:
    uses: ./write-text.ts
    with: { text: hi }
    inputs: { parts: nosuch.out }
`);
  assertIssue(issues, "6:22", "unknown stage 'nosuch'");
});

test("unknown output and input names", async () => {
  const issues = await issuesOf(`version: 1
stages:
  a:
    uses: ./write-text.ts
    with: { text: hi }
  b:
    uses: ./write-text.ts
    with: { text: hi }
    inputs:
      parts: a.nosuch
      extra: a.out
`);
  assertIssue(issues, "10:14", "has no output 'nosuch'");
  assertIssue(issues, "11:7", "has no input 'extra'");
});

test("unknown plugin lists built-ins", async () => {
  const issues = await issuesOf(`version: 1
stages:
  a:
    uses: no-such-plugin
`);
  assertIssue(issues, "4:11", "unknown plugin 'no-such-plugin'");
});

test("cycle is printed", async () => {
  const issues = await issuesOf(`version: 1
stages:
  a:
    uses: ./write-text.ts
    with: { text: a }
    inputs: { parts: c.out }
  b:
    uses: ./write-text.ts
    with: { text: b }
    inputs: { parts: a.out }
  c:
    uses: ./write-text.ts
    with: { text: c }
    inputs: { parts: b.out }
`);
  assert.ok(issues.some((i) => /cycle between stages: (a -> b -> c -> a|b -> c -> a -> b|c -> a -> b -> c)/.test(i)), issues.join("\n"));
});

test("empty matrix axis", async () => {
  const issues = await issuesOf(`version: 1
params:
  seeds: []
stages:
  a:
    uses: ./write-text.ts
    matrix:
      loss: []
      seed: \${{ params.seeds }}
    with: { text: hi }
`);
  assertIssue(issues, "8:13", "matrix axis 'loss' is empty");
  assertIssue(issues, "9:13", "matrix axis 'seed' is empty");
});

test("unknown expression names are errors", async () => {
  const issues = await issuesOf(`version: 1
params:
  greeting: hi
stages:
  a:
    uses: ./write-text.ts
    with: { text: "\${{ params.greting }}-\${{ matrix.loss }}" }
`);
  assertIssue(issues, "7:19", "unknown name 'params.greting'");
});

test("plugin param schema errors point at the value", async () => {
  const issues = await issuesOf(`version: 1
stages:
  a:
    uses: ./write-text.ts
    matrix:
      seed: [1, 2]
    with:
      text: hi
      sleep_ms: -5
      colour: red
`);
  assertIssue(issues, "9:17", "invalid value -5 for 'sleep_ms'");
  assertIssue(issues, "10:7", "unknown key 'colour'");
  assert.equal(issues.filter((i) => i.includes("invalid value -5")).length, 1, "one message per problem, not one per cell");
});

test("missing required input", async () => {
  const file = ws.write("needs.ts", `export default { name: "needs", version: "1", description: "", params: { type: "object" },
  inputs: { data: { description: "the data" } }, outputs: { out: { description: "", kind: "x" } }, async run() {} };
`);
  assert.ok(file);
  const issues = await issuesOf(`version: 1
stages:
  a:
    uses: ./needs.ts
`);
  assertIssue(issues, "3:3", "missing input 'data'");
});

test("all errors of a file at once", async () => {
  const issues = await issuesOf(`version: 2
stages:
  a:
    uses: ./write-text.ts
    with: { text: 5 }
    inputs: { parts: ghost.out }
  b:
    uses: nothing-here
`);
  assert.ok(issues.length >= 4, issues.join("\n"));
  assertIssue(issues, "1:10", "the only allowed value is 1");
  assertIssue(issues, "5:19", "invalid value 5 for 'text'");
});

test("unknown --set param", async () => {
  const issues = await issuesOf(`version: 1
params: { greeting: hi }
stages:
  a:
    uses: ./write-text.ts
    with: { text: "\${{ params.greeting }}" }
`, ["greting=hello"]);
  assert.ok(issues.some((i) => i.includes("--set greting: unknown param 'greting'")), issues.join("\n"));
});

test("profiles and --set precedence", async () => {
  const file = ws.write("profiles.yaml", `version: 1
params: { profile: full, epochs: 100, seeds: [1, 2, 3] }
profiles:
  quick: { params: { epochs: 2, seeds: [1] } }
  full: { params: {} }
stages:
  a:
    uses: ./write-text.ts
    matrix: { seed: "\${{ params.seeds }}" }
    with: { text: "e\${{ params.epochs }}" }
`);
  const quick = await compilePipeline(file, { overrides: [parseOverride("profile=quick"), parseOverride("epochs=3")] });
  assert.deepEqual(quick.order, ["a[seed=1]"]);
  assert.equal(quick.tasks.get("a[seed=1]")!.params.text, "e3");
  const full = await compilePipeline(file);
  assert.equal(full.order.length, 3);
});
