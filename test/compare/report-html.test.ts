/**
 * The full report with volumes, training records and images, and a screenshot of report.html in
 * headless Chromium (skipped where the `chromium` binary is missing).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PNG } from "pngjs";
import compare from "../../stages/compare/index.ts";
import { COMPARE_DEFAULTS } from "../../stages/compare/params.ts";
import { makeStageContext } from "../helpers/stage-context.ts";
import { writeGrid } from "./fabricated-grid.ts";

const ARM_EFFECT: Record<string, number> = { binary: 0, organs: 0.1, fine: 0.04 };
const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((path) => existsSync(path));

async function renderReport(): Promise<string> {
  const grid = await writeGrid(
    {
      arms: ["binary", "organs", "fine"],
      losses: ["ce"],
      seeds: [1, 2, 3],
      folds: 3,
      cases: 10,
      // Cases 0.04 apart and arm-specific wiggles of at most 0.03, so the case ranking is fixed.
      dice: (arm, _loss, seed, i) => 0.45 + 0.04 * i + ARM_EFFECT[arm] + 0.015 * Math.sin(3 * i + seed + arm.length),
    },
    true,
  );
  const ctx = makeStageContext(compare, {
    params: { ...COMPARE_DEFAULTS, seed: 3 },
    inputs: { metrics: grid.metrics, models: grid.models, images: [{ path: grid.images!, cell: {} }] },
  });
  await compare.run(ctx);
  return ctx.outputs.report;
}

const reportDir = renderReport();

test("report html is self-contained", async () => {
  const html = readFileSync(join(await reportDir, "report.html"), "utf8");

  assert.doesNotMatch(html, /<script/i);
  assert.doesNotMatch(html, /<link/i);
  assert.doesNotMatch(html, /(src|href)="https?:/i);
  assert.equal((html.match(/<svg/g) ?? []).length, 3);
  // Best, median and worst case, each with the reference and three arms.
  assert.equal((html.match(/src="data:image\/png;base64,/g) ?? []).length, 12);
  assert.match(html, /training backend: wasm \(TF\.js 4\.22\.0\), 27 runs/);
  assert.match(html, /The data are synthetic \(synthetic-chest/);
});

test("report files include plots and overlays", async () => {
  const dir = await reportDir;
  const files = readdirSync(dir);
  const report = JSON.parse(readFileSync(join(dir, "report.json"), "utf8"));

  for (const file of ["report.md", "report.html", "report.json", "plot-distribution.svg", "plot-differences.svg", "plot-learning-curves.svg"]) {
    assert.ok(files.includes(file), `${file} missing from ${files.join(", ")}`);
  }
  assert.deepEqual(report.overlays.map((o: { role: string }) => o.role), ["best", "median", "worst"]);
  assert.deepEqual(report.overlays.map((o: { caseId: string }) => o.caseId), ["synth-009", "synth-005", "synth-000"]);
  for (const overlay of report.overlays) {
    for (const panel of overlay.panels) assert.ok(files.includes(panel.file), `${panel.file} missing`);
  }
  assert.equal(report.data.synthetic, true);
  assert.equal(report.data.cases, 10);
});

test("overlay slice goes through largest tumor area", async () => {
  const report = JSON.parse(readFileSync(join(await reportDir, "report.json"), "utf8"));
  // Fabricated tumors are centred on slice 2 for even and slice 3 for odd case indices.
  assert.deepEqual(report.overlays.map((o: { slice: number }) => o.slice), [3, 3, 2]);
});

test("report html renders in chromium", async (t) => {
  if (!CHROMIUM) {
    t.skip("chromium not found at /usr/bin/chromium: install the Debian package 'chromium'");
    return;
  }
  const dir = await reportDir;
  const profile = mkdtempSync(join(tmpdir(), "segsweep-chromium-"));
  // SEGSWEEP_SCREENSHOT=FILE keeps a copy of the screenshot for a look by eye.
  const screenshot = process.env.SEGSWEEP_SCREENSHOT ?? join(profile, "report.png");
  try {
    const result = spawnSync(
      CHROMIUM,
      [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        `--user-data-dir=${profile}`,
        `--screenshot=${screenshot}`,
        "--window-size=1200,3000",
        `file://${join(dir, "report.html")}`,
      ],
      { encoding: "utf8", timeout: 60_000 },
    );
    assert.ok(existsSync(screenshot), `no screenshot; chromium exit ${result.status}: ${result.stderr}`);

    const png = PNG.sync.read(readFileSync(screenshot));
    assert.equal(png.width, 1200);
    const colours = new Set<number>();
    let nonWhite = 0;
    for (let i = 0; i < png.data.length; i += 4) {
      const [r, g, b] = [png.data[i], png.data[i + 1], png.data[i + 2]];
      colours.add((r << 16) | (g << 8) | b);
      if (r < 240 || g < 240 || b < 240) nonWhite++;
    }
    assert.ok(colours.size > 200, `only ${colours.size} distinct colours: the page looks blank`);
    assert.ok(nonWhite > 0.02 * png.width * png.height, `only ${nonWhite} non-white pixels`);
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
});
