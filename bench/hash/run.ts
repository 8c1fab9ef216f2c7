/**
 * bench/hash: throughput of the store's streaming sha256 (`hashFile`, used for every artifact)
 * against coreutils `sha256sum` on the same file, measured in the same run.
 * Target: at least 0.9x of sha256sum's throughput.
 *
 * Usage: npx tsx bench/hash/run.ts [--size-mb 1024] [--repeats 3]
 * It writes a file of random bytes to the temporary folder. Both tools read it from the page
 * cache after a warm-up read, so the numbers compare hashing, not the disk.
 */
import { execFileSync } from "node:child_process";
import { randomFillSync } from "node:crypto";
import { openSync, writeSync, closeSync, rmSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { hashFile } from "../../engine/cache/files.ts";

const { values } = parseArgs({ options: { "size-mb": { type: "string", default: "1024" }, repeats: { type: "string", default: "3" } } });
const sizeMb = Number(values["size-mb"]);
const repeats = Number(values.repeats);

const dir = mkdtempSync(join(tmpdir(), "segsweep-hash-"));
const file = join(dir, "data.bin");
const chunk = Buffer.alloc(1 << 20);
const fd = openSync(file, "w");
for (let i = 0; i < sizeMb; i++) {
  randomFillSync(chunk);
  writeSync(fd, chunk);
}
closeSync(fd);

function timeMs(run: () => unknown): Promise<number> {
  const started = performance.now();
  return Promise.resolve(run()).then(() => performance.now() - started);
}

const sha256sum = () => execFileSync("sha256sum", [file]).toString().split(" ")[0];
const ours = await hashFile(file);
if (ours !== sha256sum()) throw new Error(`digests differ: ${ours} vs ${sha256sum()}`);

const oursMs: number[] = [];
const referenceMs: number[] = [];
for (let i = 0; i < repeats; i++) {
  referenceMs.push(await timeMs(sha256sum));
  oursMs.push(await timeMs(() => hashFile(file)));
}
rmSync(dir, { recursive: true, force: true });

const best = (list: number[]) => Math.min(...list);
const throughput = (ms: number) => sizeMb / (ms / 1000);
const ratio = throughput(best(oursMs)) / throughput(best(referenceMs));
console.log(`file: ${sizeMb} MiB, best of ${repeats}`);
console.log(`segsweep hashFile: ${throughput(best(oursMs)).toFixed(0)} MiB/s`);
console.log(`sha256sum:         ${throughput(best(referenceMs)).toFixed(0)} MiB/s`);
console.log(`ratio: ${ratio.toFixed(2)}x of sha256sum (target >= 0.9x: ${ratio >= 0.9 ? "met" : "NOT met"})`);
