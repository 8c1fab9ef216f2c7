import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { labelComponents } from "../../stages/metrics/connected-components.ts";
import { dice } from "../../stages/metrics/dice.ts";
import type { BinaryMask } from "../../stages/metrics/mask.ts";
import { hd95, normalizedSurfaceDistance, surfaceDistances } from "../../stages/metrics/surface-distance.ts";
import { maskFrom, seededRandom } from "./synthetic-masks.ts";

type Shape = [number, number, number];
const SCRIPT = fileURLToPath(new URL("./scipy_metrics.py", import.meta.url));

/** Returns a mask of a few random ellipsoids, some touching the array border. */
function randomBlobs(shape: Shape, spacing: Shape, seed: number): BinaryMask {
  const random = seededRandom(seed);
  const blobs = Array.from({ length: 4 }, () => ({
    centre: shape.map((n) => random() * n) as Shape,
    radii: [2 + random() * 6, 2 + random() * 6, 1 + random() * 3] as Shape,
  }));
  return maskFrom(shape, spacing, (x, y, z) =>
    blobs.some(({ centre, radii }) => {
      const dx = (x - centre[0]) / radii[0];
      const dy = (y - centre[1]) / radii[1];
      const dz = (z - centre[2]) / radii[2];
      return dx * dx + dy * dy + dz * dz <= 1;
    }),
  );
}

function scipyMetrics(reference: BinaryMask, prediction: BinaryMask, tolerance: number) {
  const dir = mkdtempSync(join(tmpdir(), "segsweep-scipy-"));
  writeFileSync(join(dir, "reference.raw"), reference.data);
  writeFileSync(join(dir, "prediction.raw"), prediction.data);
  const job = {
    shape: reference.shape,
    spacing: reference.spacing,
    tolerance,
    reference: join(dir, "reference.raw"),
    prediction: join(dir, "prediction.raw"),
  };
  return spawnSync("python3", [SCRIPT], { input: JSON.stringify(job), encoding: "utf8" });
}

test("metrics match SciPy on random masks", (t) => {
  const probe = spawnSync("python3", ["-c", "import scipy.ndimage"], { encoding: "utf8" });
  if (probe.status !== 0) {
    t.skip(`python3 with SciPy not found: ${probe.error?.message ?? probe.stderr.trim()}`);
    return;
  }

  const shape: Shape = [40, 34, 18];
  const spacing: Shape = [0.7, 1.1, 2.5];
  for (let seed = 1; seed <= 4; seed++) {
    const reference = randomBlobs(shape, spacing, seed);
    const prediction = randomBlobs(shape, spacing, seed + 100);

    const result = scipyMetrics(reference, prediction, 2);
    assert.equal(result.status, 0, result.stderr);
    const expected = JSON.parse(result.stdout);

    const distances = surfaceDistances(reference, prediction);
    assert.ok(Math.abs(dice(reference, prediction) - expected.dice) < 1e-12, `seed ${seed}: Dice`);
    assert.ok(Math.abs(hd95(distances)! - expected.hd95) < 1e-6, `seed ${seed}: HD95 ${hd95(distances)} vs ${expected.hd95}`);
    assert.ok(Math.abs(normalizedSurfaceDistance(distances, 2) - expected.nsd) < 1e-12, `seed ${seed}: NSD`);
    assert.equal(labelComponents(reference.data, shape, 26).count, expected.reference_components, `seed ${seed}`);
    assert.equal(labelComponents(prediction.data, shape, 26).count, expected.prediction_components, `seed ${seed}`);
  }
});
