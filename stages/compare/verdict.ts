/**
 * Plain-language verdicts that state only what the numbers support. A comparison is called
 * better or worse only when it is significant after Holm and its bootstrap interval excludes 0.
 * Otherwise the verdict states that no difference could be shown and gives the smallest
 * difference detectable with the cases at hand.
 */
import type { ComparisonRow } from "./comparison-tables.ts";
import { metricDirection, metricLabel } from "./metric-direction.ts";

export type Outcome = "better" | "worse" | "higher" | "lower" | "no difference shown" | "not testable";

/** Formats a metric value: 3 decimals below 10 (Dice, NSD), 1 decimal above (mm, mL). */
export function formatValue(value: number, signed = false): string {
  if (!Number.isFinite(value)) return "n/a";
  // Values that round to zero print as 0.000, never -0.000.
  if (Math.abs(value) < 0.0005) value = 0;
  const text = Math.abs(value) < 10 ? value.toFixed(3) : value.toFixed(1);
  return signed && value >= 0 ? `+${text}` : text;
}

export function formatP(p: number): string {
  if (!Number.isFinite(p)) return "n/a";
  return p < 0.001 ? "< 0.001" : p.toFixed(3);
}

/** "p = 0.012", "p < 0.001" or "p n/a". */
function pClause(p: number): string {
  const text = formatP(p);
  return text.startsWith("<") || text === "n/a" ? `p ${text}` : `p = ${text}`;
}

export function outcomeOf(row: ComparisonRow, metric: string): Outcome {
  const { comparison } = row;
  if (comparison.n < 2 || !Number.isFinite(comparison.pHolm)) return "not testable";
  if (!comparison.significant) return "no difference shown";

  const direction = metricDirection(metric);
  const increased = comparison.meanDifference > 0;
  if (direction === "unknown") return increased ? "higher" : "lower";
  return increased === (direction === "higher") ? "better" : "worse";
}

/** Describes one comparison: outcome, effect, interval, adjusted p, power and warnings. */
export function describeComparison(row: ComparisonRow, metric: string, alpha: number): string {
  const { comparison: c, treatment, baseline } = row;
  const name = metricLabel(metric);
  const level = Math.round(c.interval.level * 100);
  const interval = `${level} % CI ${formatValue(c.interval.low, true)} to ${formatValue(c.interval.high, true)}`;
  const evidence = `${interval}, Wilcoxon ${pClause(c.pHolm)} after Holm, ${c.n} cases`;
  const outcome = outcomeOf(row, metric);
  const warnings = row.warnings.length > 0 ? ` Caution: ${row.warnings.join(" ")}` : "";

  if (outcome === "not testable") {
    return `${treatment.label} vs ${baseline.label}: only ${c.n} paired case(s), too few to compare.${warnings}`;
  }
  if (outcome === "no difference shown") {
    const power =
      `With ${c.n} cases, differences under ${formatValue(c.minimumDetectable)} ${name} cannot be told from noise ` +
      `(80 % power, two-sided alpha ${alpha}, paired t approximation).`;
    return (
      `${treatment.label} vs ${baseline.label}: no difference could be shown ` +
      `(mean difference ${formatValue(c.meanDifference, true)} ${name}, ${evidence}). ${power}${warnings}`
    );
  }

  const verb = outcome === "better" || outcome === "worse" ? `segments the tumor ${outcome} than` : `scores ${outcome} than`;
  return (
    `${treatment.label} ${verb} ${baseline.label}: ` +
    `${name} ${formatValue(c.meanDifference, true)} on average (${evidence}).${warnings}`
  );
}

/**
 * States the detection limit of a table: the largest smallest-detectable difference over its
 * rows, with the fewest paired cases, so that it holds for every row.
 */
function detectionLimit(rows: readonly ComparisonRow[], metric: string, alpha: number): string {
  const testable = rows.filter((row) => Number.isFinite(row.comparison.minimumDetectable));
  if (testable.length === 0) return "";

  const limit = Math.max(...testable.map((row) => row.comparison.minimumDetectable));
  const cases = Math.min(...testable.map((row) => row.comparison.n));
  return (
    ` With ${cases} cases, differences under ${formatValue(limit)} ${metricLabel(metric)} cannot be told from noise ` +
    `(80 % power, two-sided alpha ${alpha}, paired t approximation).`
  );
}

/** Summarizes the arm table as the reply to the study question, with its detection limit. */
export function answerQuestion(rows: readonly ComparisonRow[], metric: string, baseline: string, alpha: number): string {
  if (rows.length === 0) return `No arm could be compared with the ${baseline} arm.`;

  const total = rows.length;
  const name = metricLabel(metric);
  const counts = new Map<Outcome, number>();
  for (const row of rows) {
    const outcome = outcomeOf(row, metric);
    counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
  }
  const changedOutcomes = (["better", "worse", "higher", "lower"] as const).filter((o) => counts.has(o));
  const limit = detectionLimit(rows, metric, alpha);

  if (changedOutcomes.length === 0) {
    return `No multi-class arm could be shown to differ from the ${baseline} arm in tumor ${name} (${total} comparison${total === 1 ? "" : "s"}).${limit}`;
  }
  const parts = changedOutcomes.map((outcome) => `${outcome} in ${counts.get(outcome)} of ${total} comparisons`);
  const rest = total - changedOutcomes.reduce((sum, outcome) => sum + counts.get(outcome)!, 0);
  const tail = rest > 0 ? `; the other ${rest} showed no difference` : "";
  const level = Math.round(rows[0].comparison.interval.level * 100);
  const verb = changedOutcomes.some((o) => o === "better" || o === "worse") ? "segmented the tumor" : `scored tumor ${name}`;
  return (
    `Compared with the ${baseline} arm, a multi-class arm ${verb} ${parts.join(" and ")}${tail}. ` +
    `Only comparisons significant after Holm with a ${level} % CI of the mean ${name} difference excluding 0 count.${limit}`
  );
}
