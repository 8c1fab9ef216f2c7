/**
 * The report's content as one JSON-ready object (`report.json`); report.md and report.html are
 * rendered from it, so every number they show is in report.json too.
 */
import { caseMeans, type GroupedMetrics } from "./arm-groups.ts";
import type { ComparisonRow, ComparisonTables } from "./comparison-tables.ts";
import type { CaseSet, TrainingRun } from "./load-inputs.ts";
import { metricDirection, metricLabel } from "./metric-direction.ts";
import type { CompareParams } from "./params.ts";
import { answerQuestion, describeComparison, outcomeOf } from "./verdict.ts";

export interface ComparisonRecord {
  treatment: string;
  baseline: string;
  n: number;
  mean_difference: number;
  median_difference: number;
  sd_difference: number;
  ci_low: number;
  ci_high: number;
  ci_level: number;
  ci_method: string;
  wilcoxon_v: number;
  p_value: number;
  p_method: string;
  p_holm: number;
  rank_biserial: number;
  min_detectable_difference: number;
  significant: boolean;
  outcome: string;
  verdict: string;
  warnings: string[];
  /** Case id to treatment minus baseline (seed-averaged). */
  differences: Record<string, number>;
}

export interface ReportModel {
  question: string;
  answer: string;
  metric: string;
  metric_label: string;
  /** "higher" or "lower" is better, or "unknown". */
  better: string;
  params: CompareParams & { reference_loss: string };
  data: { source: string | null; synthetic: boolean | null; cases: number };
  backends: Array<{ backend: string | null; tfjs_version: string | null; runs: number }>;
  groups: Array<{ label: string; arm: string; loss: string; context: string; seeds: number; cases: number; mean: number; seed_means: Record<string, number>; seed_sd: number }>;
  arm_comparisons: ComparisonRecord[];
  loss_comparisons: ComparisonRecord[];
  per_case: Array<{ case: string; fold: string | null; values: Record<string, number | null> }>;
  warnings: string[];
  methods: string[];
}

function comparisonRecord(row: ComparisonRow, metric: string, alpha: number): ComparisonRecord {
  const c = row.comparison;
  return {
    treatment: row.treatment.label,
    baseline: row.baseline.label,
    n: c.n,
    mean_difference: c.meanDifference,
    median_difference: c.medianDifference,
    sd_difference: c.sdDifference,
    ci_low: c.interval.low,
    ci_high: c.interval.high,
    ci_level: c.interval.level,
    ci_method: `${c.interval.method}, ${c.interval.resamples} resamples of cases`,
    wilcoxon_v: c.wilcoxon.statistic,
    p_value: c.wilcoxon.pValue,
    p_method: c.wilcoxon.method,
    p_holm: c.pHolm,
    rank_biserial: c.rankBiserial,
    min_detectable_difference: c.minimumDetectable,
    significant: c.significant,
    outcome: outcomeOf(row, metric),
    verdict: describeComparison(row, metric, alpha),
    warnings: row.warnings,
    differences: Object.fromEntries(c.cases.map((id, i) => [id, c.differences[i]])),
  };
}

function backendSummary(runs: readonly TrainingRun[]): ReportModel["backends"] {
  const counts = new Map<string, number>();
  for (const run of runs) {
    const key = JSON.stringify([run.backend, run.tfjsVersion]);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([key, runs]) => {
    const [backend, version] = JSON.parse(key) as [string | null, string | null];
    return { backend, tfjs_version: version, runs };
  });
}

function perCaseTable(grouped: GroupedMetrics): ReportModel["per_case"] {
  const means = grouped.groups.map((group) => ({ group, values: caseMeans(group) }));
  const ids = [...new Set(means.flatMap(({ values }) => [...values.keys()]))].sort();
  return ids.map((id) => {
    const fold = grouped.groups.map((g) => g.folds.get(id)).find((f) => f !== undefined) ?? null;
    const values = Object.fromEntries(
      means.map(({ group, values: v }) => [tablesLabel(group), v.get(id) ?? null]),
    );
    return { case: id, fold, values };
  });
}

function tablesLabel(group: { arm: string; loss: string; context: string }): string {
  return [group.arm, group.loss, group.context].filter((part) => part !== "").join(" / ");
}

/** Text lines describing how the numbers were computed, shown in the report's methods section. */
function methodsText(params: CompareParams, referenceLoss: string): string[] {
  return [
    `Each case's ${metricLabel(params.metric)} is averaged over seeds first; folds partition the cases, so each case enters once. Comparisons pair these values by case.`,
    `Arm table: every arm against '${params.baseline}' with the same '${params.loss_axis}'. Loss table: every loss against '${referenceLoss}' inside the same arm. Holm adjusts the p-values within each table.`,
    `Interval: ${Math.round((1 - params.alpha) * 100)} % percentile bootstrap of the mean paired difference, ${params.bootstrap_resamples} resamples of cases, Mersenne Twister seed ${params.seed}.`,
    "Test: two-sided Wilcoxon signed-rank on the paired differences (zeros dropped), exact with at most 50 cases and no ties, otherwise the normal approximation with tie and continuity correction (@stdlib/stats-wilcoxon). Effect size: matched-pairs rank-biserial correlation.",
    `Called better or worse only when the Holm-adjusted p is below ${params.alpha} and the interval excludes 0.`,
    `Smallest detectable difference: (t(1 - alpha/2, n - 1) + t(0.8, n - 1)) x SD of the paired differences / sqrt(n), the paired t approximation at 80 % power and two-sided alpha ${params.alpha}.`,
    "Seed spread: SD over seeds of the per-seed mean over cases; a warning appears where it reaches the size of a difference, and below 3 seeds.",
  ];
}

export interface ModelInputs {
  params: CompareParams;
  grouped: GroupedMetrics;
  tables: ComparisonTables;
  runs: readonly TrainingRun[];
  caseSet: CaseSet | null;
  warnings: string[];
}

export function buildReportModel({ params, grouped, tables, runs, caseSet, warnings }: ModelInputs): ReportModel {
  const perCase = perCaseTable(grouped);
  return {
    question: `Does a multi-class arm segment the tumor better than the '${params.baseline}' arm, by how much, and how sure are we?`,
    answer: answerQuestion(tables.arms, params.metric, params.baseline, params.alpha),
    metric: params.metric,
    metric_label: metricLabel(params.metric),
    better: metricDirection(params.metric),
    params: { ...params, reference_loss: tables.referenceLoss },
    data: { source: caseSet?.source ?? null, synthetic: caseSet ? caseSet.synthetic : null, cases: perCase.length },
    backends: backendSummary(runs),
    groups: tables.groups.map((g) => ({
      label: g.label,
      arm: g.arm,
      loss: g.loss,
      context: g.context,
      seeds: g.seeds,
      cases: g.cases,
      mean: g.mean,
      seed_means: g.variation.seedMeans,
      seed_sd: g.variation.sd,
    })),
    arm_comparisons: tables.arms.map((row) => comparisonRecord(row, params.metric, params.alpha)),
    loss_comparisons: tables.losses.map((row) => comparisonRecord(row, params.metric, params.alpha)),
    per_case: perCase,
    warnings: [...tables.warnings, ...warnings],
    methods: methodsText(params, tables.referenceLoss),
  };
}
