/**
 * The two comparison tables of the report. The arm table compares each non-baseline arm with the
 * baseline arm trained with the same loss. The loss table compares each loss with the reference
 * loss inside one arm. Each table is one family for the Holm adjustment.
 */
import { adjustTable, comparePaired, type ComparisonOptions, type PairedComparison } from "../stats/paired-comparison.ts";
import { seedVariation, type SeedVariation } from "../stats/seed-variation.ts";
import { caseMeans, groupLabel, type ArmGroup, type GroupedMetrics } from "./arm-groups.ts";

/** Fewer seeds than this give a warning: the seed spread cannot be judged from 2 values. */
export const MIN_SEEDS = 3;

export interface GroupSummary {
  arm: string;
  loss: string;
  context: string;
  label: string;
  seeds: number;
  cases: number;
  /** Mean over cases of the seed-averaged case values. */
  mean: number;
  variation: SeedVariation;
}

export interface ComparisonRow {
  treatment: GroupSummary;
  baseline: GroupSummary;
  comparison: PairedComparison;
  /** Seed spread warnings of this row. */
  warnings: string[];
}

export interface ComparisonTables {
  referenceLoss: string;
  groups: GroupSummary[];
  arms: ComparisonRow[];
  losses: ComparisonRow[];
  warnings: string[];
}

export interface TableSettings extends ComparisonOptions {
  baseline: string;
  /** Reference loss; null picks the first loss of the grid. */
  referenceLoss: string | null;
}

function summarize(group: ArmGroup): GroupSummary {
  const means = caseMeans(group);
  return {
    arm: group.arm,
    loss: group.loss,
    context: group.context,
    label: groupLabel(group),
    seeds: group.bySeed.size,
    cases: means.size,
    mean: [...means.values()].reduce((sum, v) => sum + v, 0) / Math.max(1, means.size),
    variation: seedVariation(new Map([...group.bySeed].map(([seed, values]) => [seed, [...values.values()]]))),
  };
}

function compareGroups(treatment: ArmGroup, baseline: ArmGroup, settings: TableSettings): ComparisonRow {
  const comparison = comparePaired(caseMeans(treatment), caseMeans(baseline), settings);
  const row = { treatment: summarize(treatment), baseline: summarize(baseline), comparison, warnings: [] as string[] };

  const spread = Math.max(row.treatment.variation.sd, row.baseline.variation.sd);
  if (Number.isFinite(spread) && spread >= Math.abs(comparison.meanDifference)) {
    row.warnings.push(
      `The seed spread (SD of per-seed means up to ${spread.toFixed(3)}) is as large as the difference ` +
        `(${comparison.meanDifference.toFixed(3)}), so the difference may come from the choice of seeds.`,
    );
  }
  return row;
}

/** Builds both tables and adjusts each with Holm; throws when the baseline arm or reference loss is absent. */
export function buildComparisonTables(grouped: GroupedMetrics, settings: TableSettings): ComparisonTables {
  const { groups, arms, losses } = grouped;
  if (!arms.includes(settings.baseline)) {
    throw new Error(`baseline arm '${settings.baseline}' is not in the metrics; set 'baseline' to one of: ${arms.join(", ")}`);
  }
  const referenceLoss = settings.referenceLoss ?? losses[0];
  if (!losses.includes(referenceLoss)) {
    throw new Error(`reference loss '${referenceLoss}' is not in the metrics; set 'reference_loss' to one of: ${losses.join(", ")}`);
  }

  const warnings = [...grouped.warnings];
  const find = (arm: string, loss: string, context: string) =>
    groups.find((g) => g.arm === arm && g.loss === loss && g.context === context);

  const armRows: ComparisonRow[] = [];
  for (const group of groups.filter((g) => g.arm !== settings.baseline)) {
    const baseline = find(settings.baseline, group.loss, group.context);
    if (baseline) armRows.push(compareGroups(group, baseline, settings));
    else warnings.push(`${groupLabel(group)} has no baseline run with the same loss and was not compared.`);
  }

  const lossRows: ComparisonRow[] = [];
  for (const group of groups.filter((g) => g.loss !== referenceLoss)) {
    const reference = find(group.arm, referenceLoss, group.context);
    if (reference) lossRows.push(compareGroups(group, reference, settings));
  }

  adjustTable(armRows.map((row) => row.comparison), settings.alpha);
  adjustTable(lossRows.map((row) => row.comparison), settings.alpha);

  const summaries = groups.map(summarize);
  const fewSeeds = summaries.filter((s) => s.seeds < MIN_SEEDS);
  if (fewSeeds.length > 0) {
    const listed = fewSeeds.map((s) => `${s.label}: ${s.seeds}`).join(", ");
    warnings.push(`Too few seeds to judge the seed spread, which needs at least ${MIN_SEEDS} per arm and loss (${listed}).`);
  }
  return { referenceLoss, groups: summaries, arms: armRows, losses: lossRows, warnings };
}
