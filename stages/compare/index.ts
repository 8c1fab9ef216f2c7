/**
 * The compare stage: paired statistics of the arms over the whole grid, and a report on whether
 * a multi-class arm segments the tumor better than the binary arm.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { definePlugin, singleInput } from "../../engine/plugin.ts";
import { groupMetrics, type AxisNames } from "./arm-groups.ts";
import { buildPlots } from "./build-plots.ts";
import { buildComparisonTables } from "./comparison-tables.ts";
import { loadCaseSet, loadMetricsCells, loadTrainingRuns, type CaseSet } from "./load-inputs.ts";
import { metricLabel } from "./metric-direction.ts";
import { buildOverlays, type OverlayCase } from "./overlay-cases.ts";
import { compareParamsSchema, type CompareParams } from "./params.ts";
import { renderHtml } from "./report-html.ts";
import { renderMarkdown } from "./report-markdown.ts";
import { buildReportModel, type ReportModel } from "./report-model.ts";
import { untrainedModelsWarning } from "./learning-check.ts";

function dataWarnings(caseSet: CaseSet | null): string[] {
  if (caseSet === null) return ["No images input: the report cannot say which data were used, and has no overlays."];
  if (caseSet.synthetic) {
    return [
      `The data are synthetic (${caseSet.source ?? "unknown source"}, cases.json 'synthetic: true'): ` +
        "these numbers test the pipeline and say nothing about real tumors.",
    ];
  }
  return [];
}

/** Writes the plots, overlay PNGs, report.json, report.md and report.html into `dir`. */
async function writeReport(dir: string, model: ReportModel, plots: Record<string, string>, overlays: OverlayCase[]): Promise<void> {
  for (const [file, svg] of Object.entries(plots)) await writeFile(join(dir, file), svg);
  for (const panel of overlays.flatMap((o) => o.panels)) await writeFile(join(dir, panel.file), panel.png);

  const overlayRecords = overlays.map(({ panels, ...overlay }) => ({
    ...overlay,
    panels: panels.map(({ png: _png, ...panel }) => panel),
  }));
  const json = { ...model, plots: Object.keys(plots), overlays: overlayRecords };
  await writeFile(join(dir, "report.json"), JSON.stringify(json, null, 2));

  const plotLinks = Object.fromEntries(Object.keys(plots).map((file) => [file.replace(/^plot-|\.svg$/g, ""), file]));
  await writeFile(join(dir, "report.md"), renderMarkdown(model, plotLinks, overlays));
  await writeFile(join(dir, "report.html"), renderHtml(model, plots, overlays));
}

export default definePlugin<CompareParams>({
  name: "compare",
  version: "1",
  description: "Paired statistics of each arm against the baseline arm, and an HTML/Markdown/JSON report",
  params: compareParamsSchema,
  inputs: {
    metrics: { description: "Per-case metrics of every evaluate cell (fan-in)" },
    models: { description: "Trained models of every train cell, for learning curves and the backend (fan-in)", optional: true },
    images: { description: "Resampled cases, for overlays and the data provenance", optional: true },
  },
  outputs: { report: { description: "report.md, report.html, report.json, SVG plots and PNG overlays", kind: "report" } },
  resources: { cpu: 1, gpu: 0, memory_mb: 2048 },

  async run(ctx) {
    const params = ctx.params;
    const axes: AxisNames = { arm: params.arm_axis, loss: params.loss_axis, seed: params.seed_axis, fold: params.fold_axis };

    const cells = await loadMetricsCells(ctx.inputs.metrics ?? []);
    if (cells.length === 0) throw new Error(`${ctx.taskId}: input 'metrics' is empty; refer it to the evaluate stage`);
    if (!cells.some((cell) => cell.cases.some((row) => params.metric in row))) {
      const fields = Object.keys(cells[0].cases[0] ?? {}).join(", ");
      throw new Error(`${ctx.taskId}: no case in metrics.json has the metric '${params.metric}'; set 'metric' to one of: ${fields}`);
    }
    ctx.progress(0.1, "statistics");

    const grouped = groupMetrics(cells, axes, params.metric);
    const tables = buildComparisonTables(grouped, {
      baseline: params.baseline,
      referenceLoss: params.reference_loss ?? null,
      resamples: params.bootstrap_resamples,
      seed: params.seed,
      alpha: params.alpha,
    });
    const runs = await loadTrainingRuns(ctx.inputs.models ?? []);
    const caseSet = (ctx.inputs.images ?? []).length > 0 ? await loadCaseSet(singleInput(ctx, "images")) : null;
    const warnings = dataWarnings(caseSet);
    const untrained = untrainedModelsWarning(grouped, params.metric);
    if (untrained) warnings.push(untrained);
    const model = buildReportModel({ params, grouped, tables, runs, caseSet, warnings });
    ctx.progress(0.4, "plots");

    const plots = await buildPlots(grouped, tables, runs, axes, metricLabel(params.metric));
    const overlayGroups = grouped.groups.filter((g) => g.loss === tables.referenceLoss && g.context === grouped.groups[0].context);
    const overlays = caseSet
      ? await buildOverlays({ caseSet, cells, groups: overlayGroups, axes, metric: params.metric, warn: (m) => model.warnings.push(m) })
      : [];
    ctx.progress(0.8, "report");

    await writeReport(ctx.outputs.report, model, plots, overlays);

    for (const warning of model.warnings) ctx.log.warn(warning);
    ctx.log.info(model.answer);
    return {
      report: {
        metric: params.metric,
        answer: model.answer,
        comparisons: model.arm_comparisons.length,
        better: model.arm_comparisons.filter((c) => c.outcome === "better").length,
        worse: model.arm_comparisons.filter((c) => c.outcome === "worse").length,
        warnings: model.warnings.length,
      },
    };
  },
});
