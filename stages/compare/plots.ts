/**
 * The report's plots as Vega-Lite specs, compiled to Vega and rendered to SVG text in Node
 * (vega 6 headless view, no canvas), so the HTML report needs no scripts.
 */
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

/** One seed-averaged case value of one arm. */
export interface DistributionPoint {
  group: string;
  arm: string;
  case: string;
  value: number;
}

/** One case's paired difference in one comparison. */
export interface DifferencePoint {
  comparison: string;
  case: string;
  difference: number;
}

/** One epoch of one training run. */
export interface CurvePointRow {
  run: string;
  arm: string;
  epoch: number;
  quantity: "training loss" | "validation tumor Dice";
  value: number;
}

const WIDTH = 520;

/** Renders a Vega-Lite spec to a standalone SVG document string. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Box plot with the individual cases on top, one box per arm and loss. */
export function distributionSpec(points: DistributionPoint[], metricName: string): TopLevelSpec {
  const groups = [...new Set(points.map((p) => p.group))];
  const arms = [...new Set(points.map((p) => p.arm))];
  const color = { field: "arm", type: "nominal" as const, title: "arm", scale: { domain: arms }, legend: { symbolOpacity: 1 } };
  const y = { field: "value", type: "quantitative" as const, title: metricName, scale: { zero: false } };
  const x = { field: "group", type: "nominal" as const, sort: groups, title: null, axis: { labelAngle: -20 } };
  return {
    title: `Tumor ${metricName} per case (mean over seeds)`,
    width: Math.max(200, Math.min(WIDTH, 90 * groups.length)),
    height: 260,
    data: { values: points },
    layer: [
      { mark: { type: "boxplot", extent: 1.5, opacity: 0.35, size: 36 }, encoding: { x, y, color } },
      { mark: { type: "circle", size: 45, opacity: 0.85 }, encoding: { x, y, color, tooltip: [{ field: "case" }, { field: "value", format: ".3f" }] } },
    ],
  };
}

/** Per-case paired differences (treatment minus baseline), one colour per comparison, with a zero line. */
export function differencesSpec(points: DifferencePoint[], metricName: string): TopLevelSpec {
  const cases = [...new Set(points.map((p) => p.case))].sort();
  return {
    title: `Paired difference in tumor ${metricName} per case`,
    width: Math.max(200, Math.min(WIDTH, 28 * cases.length)),
    height: 240,
    layer: [
      { data: { values: [{ zero: 0 }] }, mark: { type: "rule", color: "#444", strokeDash: [4, 3] }, encoding: { y: { field: "zero", type: "quantitative" } } },
      {
        data: { values: points },
        mark: { type: "point", filled: true, size: 60 },
        encoding: {
          x: { field: "case", type: "nominal", sort: cases, title: "case", axis: { labelAngle: -45 } },
          y: { field: "difference", type: "quantitative", title: `${metricName} difference` },
          color: { field: "comparison", type: "nominal", legend: { orient: "bottom", columns: 1, labelLimit: 480 } },
          shape: { field: "comparison", type: "nominal" },
        },
      },
    ],
  };
}

/**
 * Training loss and validation tumor Dice per epoch, one line per run, coloured by arm in the
 * order of `arms` (the colours of the distribution plot).
 */
export function learningCurveSpec(points: CurvePointRow[], arms: string[]): TopLevelSpec {
  return {
    title: "Learning curves",
    data: { values: points },
    facet: { column: { field: "quantity", type: "nominal", title: null } },
    spec: {
      width: 250,
      height: 200,
      mark: { type: "line", opacity: 0.8, point: { size: 12 } },
      encoding: {
        x: { field: "epoch", type: "quantitative" },
        y: { field: "value", type: "quantitative", title: null, scale: { zero: false } },
        color: { field: "arm", type: "nominal", scale: { domain: arms } },
        detail: { field: "run", type: "nominal" },
      },
    },
    resolve: { scale: { y: "independent" } },
  };
}
