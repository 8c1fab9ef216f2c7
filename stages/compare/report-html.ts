/**
 * Renders report.html: one self-contained page with inline CSS, the plots as inline SVG and the
 * overlays as base64 PNG data URIs. It loads nothing from the network and runs no script.
 */
import { OVERLAY_NOTE, type OverlayCase } from "./overlay-cases.ts";
import type { ReportModel } from "./report-model.ts";
import { comparisonTable, groupTable, perCaseTable, provenanceLine, type TextTable } from "./report-tables.ts";

const STYLE = `
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 1120px; color: #1d1d1f; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { border-bottom: 1px solid #ddd; padding-bottom: 4px; margin-top: 1.6em; }
.provenance { color: #555; }
.warnings { background: #fff4e5; border-left: 4px solid #f0a020; padding: 8px 16px; margin-bottom: 16px; }
.verdict { background: #eef6ff; border-left: 4px solid #2a6fdb; padding: 8px 16px; }
table { border-collapse: collapse; font-size: 0.88em; margin: 8px 0; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #f3f3f3; }
.plots svg { display: block; margin: 12px 0; max-width: 100%; height: auto; }
.overlay-row { display: flex; flex-wrap: wrap; gap: 12px; margin-bottom: 16px; }
figure { margin: 0; text-align: center; font-size: 0.85em; }
figure img { display: block; width: 220px; image-rendering: pixelated; border: 1px solid #999; }
`;

function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}

function htmlTable(table: TextTable): string {
  const head = `<tr>${table.header.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr>`;
  const body = table.rows.map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join("")}</tr>`);
  return `<table>\n${head}\n${body.join("\n")}\n</table>`;
}

/**
 * Prefixes every id of a vega SVG (and its `url(#...)` references), because each rendered view
 * numbers its clip paths from 1 and ids must be unique in one HTML document.
 */
function scopeSvgIds(svg: string, prefix: string): string {
  return svg.replace(/id="([^"]+)"/g, `id="${prefix}-$1"`).replace(/url\(#([^)]+)\)/g, `url(#${prefix}-$1)`);
}

function overlaySection(model: ReportModel, overlays: readonly OverlayCase[]): string {
  if (overlays.length === 0) return "";
  const rows = overlays.map((overlay) => {
    const heading = `<h3>${escapeHtml(overlay.role)} case ${escapeHtml(overlay.caseId)} (mean ${escapeHtml(model.metric_label)} ${overlay.value.toFixed(3)}, slice ${overlay.slice})</h3>`;
    const figures = overlay.panels.map((panel) => {
      const caption = panel.value === null ? panel.title : `${panel.title}: ${panel.value.toFixed(3)}`;
      const source = `data:image/png;base64,${panel.png.toString("base64")}`;
      return `<figure><img alt="${escapeHtml(caption)}" src="${source}"><figcaption>${escapeHtml(caption)}</figcaption></figure>`;
    });
    return `${heading}\n<div class="overlay-row">${figures.join("")}</div>`;
  });
  return [
    "<h2>Overlays</h2>",
    `<p>${escapeHtml(OVERLAY_NOTE)}</p>`,
    ...rows,
  ].join("\n");
}

function list(items: readonly string[]): string {
  return `<ul>${items.map((item) => `<li>${escapeHtml(item)}</li>`).join("")}</ul>`;
}

export function renderHtml(model: ReportModel, plots: Record<string, string>, overlays: readonly OverlayCase[]): string {
  const title = `Tumor segmentation: arms compared by ${model.metric_label}`;
  const warnings = model.warnings.length > 0 ? `<div class="warnings"><h2>Warnings</h2>${list(model.warnings)}</div>` : "";
  const plotSvgs = Object.values(plots).map((svg, i) => scopeSvgIds(svg, `plot${i}`));
  const losses =
    model.loss_comparisons.length > 0
      ? `<h2>Losses vs ${escapeHtml(model.params.reference_loss)}</h2>${htmlTable(comparisonTable(model.loss_comparisons))}${list(model.loss_comparisons.map((r) => r.verdict))}`
      : "";

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="provenance">${escapeHtml(provenanceLine(model))}</p>
${warnings}
<div class="verdict">
<h2>Verdict</h2>
<p><strong>${escapeHtml(model.question)}</strong></p>
<p>${escapeHtml(model.answer)}</p>
${list(model.arm_comparisons.map((r) => r.verdict))}
</div>
<h2>Arms</h2>
${htmlTable(groupTable(model))}
<h2>Multi-class arms vs baseline</h2>
${htmlTable(comparisonTable(model.arm_comparisons))}
${losses}
<h2>Plots</h2>
<div class="plots">
${plotSvgs.join("\n")}
</div>
${overlaySection(model, overlays)}
<h2>Per case (mean over seeds)</h2>
${htmlTable(perCaseTable(model))}
<h2>Methods</h2>
${list(model.methods)}
</body>
</html>
`;
}
