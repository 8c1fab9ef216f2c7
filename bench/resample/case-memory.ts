/**
 * Measures the peak memory of the resample stage's per-case work in a fresh process, so that
 * earlier allocations of the benchmark do not count. Called by run.ts with the paths of a CT
 * and its label map (.nii.gz) and the raw CT size in bytes; prints one JSON line.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resampleCase } from "../../stages/resample/resample-case.ts";

const [imagePath, labelPath, rawBytesText] = process.argv.slice(2);
const outputDir = mkdtempSync(join(tmpdir(), "segsweep-bench-case-"));
const baselineRss = process.memoryUsage().rss;
const start = performance.now();

await resampleCase(
  imagePath,
  labelPath,
  {
    spacingMm: [1.5, 1.5, 3],
    windowHu: [-1000, 500],
    crop: "body",
    cropMarginMm: 10,
    bodyThresholdHu: -500,
    lungValues: new Set([2, 3]),
    tumorValues: new Set([1]),
  },
  outputDir,
);

const ms = performance.now() - start;
const maxRssBytes = process.resourceUsage().maxRSS * 1024;
rmSync(outputDir, { recursive: true, force: true });
console.log(JSON.stringify({ ms, baselineRss, maxRssBytes, rawBytes: Number(rawBytesText) }));
