/** Renders report.md from the report model; plots and overlays are linked as files beside it. */
import { OVERLAY_NOTE, type OverlayCase } from "./overlay-cases.ts";
import type { ReportModel } from "./report-model.ts";
import { comparisonTable, groupTable, perCaseTable, provenanceLine, type TextTable } from "./report-tables.ts";

function markdownTable(table: TextTable): string {
  const escape = (cell: string) => cell.replaceAll("|", "\\|");
  const lines = [
    `| ${table.header.map(escape).join(" | ")} |`,
    `| ${table.header.map(() => "---").join(" | ")} |`,
    ...table.rows.map((row) => `| ${row.map(escape).join(" | ")} |`),
  ];
  return lines.join("\n");
}

export function renderMarkdown(model: ReportModel, plotFiles: Record<string, string>, overlays: readonly OverlayCase[]): string {
  const parts: string[] = [`# Tumor segmentation: arms compared by ${model.metric_label}`, "", provenanceLine(model), ""];

  if (model.warnings.length > 0) {
    parts.push("## Warnings", "", ...model.warnings.map((w) => `- ${w}`), "");
  }
  parts.push("## Verdict", "", `**${model.question}**`, "", model.answer, "");
  parts.push(...model.arm_comparisons.map((r) => `- ${r.verdict}`), "");

  parts.push("## Arms", "", markdownTable(groupTable(model)), "");
  parts.push("## Multi-class arms vs baseline", "", markdownTable(comparisonTable(model.arm_comparisons)), "");
  if (model.loss_comparisons.length > 0) {
    parts.push(`## Losses vs ${model.params.reference_loss}`, "", markdownTable(comparisonTable(model.loss_comparisons)), "");
    parts.push(...model.loss_comparisons.map((r) => `- ${r.verdict}`), "");
  }

  parts.push("## Plots", "");
  for (const [title, file] of Object.entries(plotFiles)) parts.push(`![${title}](${file})`, "");

  if (overlays.length > 0) {
    parts.push("## Overlays", "", OVERLAY_NOTE, "");
    for (const overlay of overlays) {
      parts.push(`### ${overlay.role} case ${overlay.caseId} (mean ${model.metric_label} ${overlay.value.toFixed(3)}, slice ${overlay.slice})`, "");
      parts.push(overlay.panels.map((p) => `![${p.title}](${p.file})`).join(" "), "");
    }
  }

  parts.push("## Per case (mean over seeds)", "", markdownTable(perCaseTable(model)), "");
  parts.push("## Methods", "", ...model.methods.map((m) => `- ${m}`), "");
  return parts.join("\n");
}
