/**
 * Benchmarks `resampleToSpacing` against `scipy.ndimage.zoom(order=1)` on the same synthetic CT.
 *
 * Run: `npx tsx bench/resample/run.ts`. It needs a python3 with scipy (Debian python3-scipy) for
 * the reference and prints only the segsweep numbers without one.
 *
 * The CT is 512 x 512 x 134 int16 voxels of 0.977 x 0.977 x 3 mm in LPS orientation, resampled to
 * 1 x 1 x 1.5 mm with trilinear interpolation to float32, as the resample stage does. segsweep also
 * reorients LPS to RAS in the same pass. Each side reports the fastest of two runs.
 *
 * A last step writes the CT and a label map as .nii.gz and runs the resample stage's per-case
 * work on them in a fresh process: read, resample to the default 1.5 x 1.5 x 3 mm, body crop,
 * window and write. It reports that process's peak memory against the raw CT size.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeNifti } from "../../stages/volume/nifti.ts";
import { resampleToSpacing } from "../../stages/volume/resample.ts";
import type { Volume } from "../../stages/volume/volume.ts";

const SHAPE: [number, number, number] = [512, 512, 134];
const SPACING: [number, number, number] = [0.977, 0.977, 3];
const TARGET_SPACING: [number, number, number] = [1, 1, 1.5];
const MIB = 1024 * 1024;

/** Builds a CT-like int16 volume: air, an elliptic body of soft tissue with noise, and a spine. */
function syntheticCt(): Volume<Int16Array> {
  const [nx, ny, nz] = SHAPE;
  const data = new Int16Array(nx * ny * nz);
  let seed = 12345;
  const noise = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return (seed / 0x7fffffff - 0.5) * 60;
  };

  let index = 0;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const u = (i - nx / 2) / (nx * 0.42);
        const v = (j - ny / 2) / (ny * 0.3);
        const inBody = u * u + v * v < 1;
        const inSpine = Math.hypot(i - nx / 2, j - ny * 0.7) < 18;
        let hu = -1000;
        if (inBody) hu = 40;
        if (inSpine) hu = 700;
        data[index++] = Math.round(hu + noise());
      }
    }
  }

  const [dx, dy, dz] = SPACING;
  const affine = [-dx, 0, 0, 250, 0, -dy, 0, 250, 0, 0, dz, -400, 0, 0, 0, 1];
  return { data, shape: SHAPE, spacing: SPACING, affine };
}

/**
 * Returns the fastest of two runs and the peak RSS after the first, before a second output
 * array exists alongside the first one's garbage.
 */
function timeSegsweep(volume: Volume): { ms: number; shape: number[]; maxRssBytes: number } {
  let best = Infinity;
  let shape: number[] = [];
  let maxRssBytes = 0;
  for (let run = 0; run < 2; run++) {
    const start = performance.now();
    const output = resampleToSpacing(volume, TARGET_SPACING, "linear");
    best = Math.min(best, performance.now() - start);
    shape = output.shape;
    if (run === 0) maxRssBytes = process.resourceUsage().maxRSS * 1024;
  }
  return { ms: best, shape, maxRssBytes };
}

function timeScipy(volume: Volume): { ms: number; shape: number[]; scipy: string } | string {
  const dir = mkdtempSync(join(tmpdir(), "segsweep-bench-resample-"));
  try {
    const rawPath = join(dir, "ct.raw");
    writeFileSync(rawPath, new Uint8Array(volume.data.buffer, volume.data.byteOffset, volume.data.byteLength));
    const zooms = SPACING.map((size, a) => String(size / TARGET_SPACING[a]));
    const script = fileURLToPath(new URL("./scipy_zoom.py", import.meta.url));

    for (const python of ["python3", "/usr/bin/python3"]) {
      const run = spawnSync(python, [script, rawPath, ...SHAPE.map(String), ...zooms], { encoding: "utf8" });
      if (run.status === 0) return JSON.parse(run.stdout);
      if (!run.stderr.includes("No module named")) return `scipy run failed with ${python}: ${run.stderr.trim()}`;
    }
    return "no python3 with scipy found (install the Debian package python3-scipy)";
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes the CT and a label map (body voxels left of the midline are label 2) and measures the stage's per-case work. */
async function measureCaseMemory(volume: Volume): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "segsweep-bench-resample-case-"));
  try {
    const imagePath = join(dir, "image.nii.gz");
    const labelPath = join(dir, "label.nii.gz");
    await writeNifti(imagePath, volume);
    const label = new Uint8Array(volume.data.length);
    for (let i = 0; i < label.length; i++) label[i] = volume.data[i] > -500 && i % SHAPE[0] < SHAPE[0] / 2 ? 2 : 0;
    await writeNifti(labelPath, { ...volume, data: label });

    const script = fileURLToPath(new URL("./case-memory.ts", import.meta.url));
    const run = spawnSync(process.execPath, ["--import", "tsx", script, imagePath, labelPath, String(volume.data.byteLength)], {
      encoding: "utf8",
    });
    if (run.status !== 0) return `failed: ${run.stderr.trim()}`;

    const result = JSON.parse(run.stdout);
    const growth = (result.maxRssBytes - result.baselineRss) / result.rawBytes;
    return (
      `${result.ms.toFixed(0)} ms, peak RSS ${(result.maxRssBytes / MIB).toFixed(0)} MiB, ` +
      `peak minus baseline ${growth.toFixed(1)} x raw (baseline ${(result.baselineRss / MIB).toFixed(0)} MiB)`
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const volume = syntheticCt();
const rawBytes = volume.data.byteLength;
const baselineRss = process.memoryUsage().rss;

const segsweep = timeSegsweep(volume);
const maxRssBytes = segsweep.maxRssBytes;
const outputBytes = segsweep.shape[0] * segsweep.shape[1] * segsweep.shape[2] * 4;
console.log(`input     ${SHAPE.join(" x ")} int16, ${SPACING.join(" x ")} mm, LPS, ${(rawBytes / MIB).toFixed(0)} MiB raw`);
console.log(`segsweep  ${segsweep.ms.toFixed(0)} ms -> ${segsweep.shape.join(" x ")} float32 RAS at ${TARGET_SPACING.join(" x ")} mm`);

const scipy = timeScipy(volume);
if (typeof scipy === "string") {
  console.log(`scipy     skipped: ${scipy}`);
} else {
  console.log(`scipy     ${scipy.ms.toFixed(0)} ms -> ${scipy.shape.join(" x ")} float32 (scipy ${scipy.scipy}, zoom order=1)`);
  console.log(`ratio     scipy / segsweep = ${(scipy.ms / segsweep.ms).toFixed(2)} (above 1: segsweep is faster)`);
}

console.log(
  `memory    peak RSS ${(maxRssBytes / MIB).toFixed(0)} MiB = ${(maxRssBytes / rawBytes).toFixed(1)} x raw ` +
    `(RSS before resampling ${(baselineRss / MIB).toFixed(0)} MiB, input ${(rawBytes / MIB).toFixed(0)} MiB, ` +
    `output ${(outputBytes / MIB).toFixed(0)} MiB float32); ` +
    `peak minus baseline ${((maxRssBytes - baselineRss) / rawBytes).toFixed(1)} x raw`,
);

console.log(`stage     one case, .nii.gz to 1.5 x 1.5 x 3 mm with body crop: ${await measureCaseMemory(volume)}`);
