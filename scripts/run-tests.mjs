#!/usr/bin/env node
// Runs every test/**/*.test.ts file with node's test runner and tsx.
// Node 20 has no glob support in `--test`, so this script lists the files itself.
// Extra arguments are passed on: `npm test -- --test-name-pattern=cache` or a file filter
// such as `npm test -- test/engine` (arguments without a leading dash select files by prefix).
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { spawnSync } from "node:child_process";

function listTestFiles(dir) {
  const files = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files.push(...listTestFiles(path));
    else if (name.endsWith(".test.ts")) files.push(path);
  }
  return files;
}

const args = process.argv.slice(2);
const prefixes = args.filter((a) => !a.startsWith("-"));
const flags = args.filter((a) => a.startsWith("-"));
let files = listTestFiles("test").map((f) => relative(".", f));
if (prefixes.length > 0) files = files.filter((f) => prefixes.some((p) => f.startsWith(p)));
if (files.length === 0) {
  console.error(`no test files match ${prefixes.join(" ") || "test/**/*.test.ts"}`);
  process.exit(1);
}

const result = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", "--test-concurrency=1", ...flags, ...files],
  { stdio: "inherit" },
);
process.exit(result.status ?? 1);
