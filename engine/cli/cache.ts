/** `segsweep cache ls|verify|gc`: inspect and maintain the cache directory. */
import { collectGarbage, listResults, verifyStore } from "../cache/maintenance.ts";
import { formatDuration, openStore, parseCommand, UsageError } from "./common.ts";

export const CACHE_USAGE = `usage: segsweep cache ls [--json] [--cache-dir DIR]
       segsweep cache verify [--remove] [--cache-dir DIR]
       segsweep cache gc [--dry-run] [--keep-runs N] [--cache-dir DIR]

ls       lists stored task results, oldest first
verify   rehashes every stored artifact and reports corrupt ones; --remove deletes them and
         the results that point at them, so the affected tasks rerun
gc       removes results, artifacts, staging files and finished Slurm job logs that no kept
         run record or pending job references;
         --keep-runs N keeps only the newest N run records; --dry-run shows what and how many
         bytes would go`;

const OPTIONS = {
  "cache-dir": { type: "string" },
  json: { type: "boolean" },
  remove: { type: "boolean" },
  "dry-run": { type: "boolean" },
  "keep-runs": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

export async function cacheCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, OPTIONS, CACHE_USAGE);
  if (values.help || positionals.length === 0) {
    process.stdout.write(`${CACHE_USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const store = await openStore(values["cache-dir"]);
  switch (positionals[0]) {
    case "ls":
      return listCommand(store, Boolean(values.json));
    case "verify":
      return verifyCommand(store, Boolean(values.remove));
    case "gc":
      return gcCommand(store, Boolean(values["dry-run"]), values["keep-runs"]);
    default:
      throw new UsageError(`unknown cache command '${positionals[0]}'\n\n${CACHE_USAGE}`);
  }
}

async function listCommand(store: Awaited<ReturnType<typeof openStore>>, json: boolean): Promise<number> {
  const results = await listResults(store);
  if (json) {
    process.stdout.write(`${JSON.stringify(results.map(({ manifest: _m, ...rest }) => rest), null, 2)}\n`);
    return 0;
  }
  for (const r of results) {
    process.stdout.write(`${r.finishedAt}  ${r.key.slice(0, 12)}  ${formatDuration(r.durationMs).padStart(9)}  ${r.taskId}\n`);
  }
  process.stdout.write(`${results.length} results in ${store.root}\n`);
  return 0;
}

async function verifyCommand(store: Awaited<ReturnType<typeof openStore>>, remove: boolean): Promise<number> {
  const report = await verifyStore(store, remove);
  for (const hex of report.corrupt) process.stdout.write(`corrupt artifact objects/${hex}${remove ? " (removed)" : ""}\n`);
  for (const key of report.danglingResults) process.stdout.write(`result ${key.slice(0, 12)} points at a missing or corrupt artifact${remove ? " (removed; the task reruns)" : ""}\n`);
  process.stdout.write(`checked ${report.checked} artifacts: ${report.corrupt.length} corrupt, ${report.danglingResults.length} results affected\n`);
  if (!remove && report.corrupt.length + report.danglingResults.length > 0) process.stdout.write("run 'segsweep cache verify --remove' to delete them\n");
  return report.corrupt.length + report.danglingResults.length > 0 && !remove ? 1 : 0;
}

async function gcCommand(store: Awaited<ReturnType<typeof openStore>>, dryRun: boolean, keepRuns: string | undefined): Promise<number> {
  const keep = keepRuns === undefined ? undefined : Number(keepRuns);
  if (keep !== undefined && !(Number.isInteger(keep) && keep >= 0)) throw new UsageError(`--keep-runs must be a whole number, got '${keepRuns}'`);
  const report = await collectGarbage(store, { dryRun, keepRuns: keep });
  const verb = dryRun ? "would remove" : "removed";
  const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  const lines = [
    `kept ${report.keptRuns} run records; ${verb} ${report.removedRuns} older run records`,
    `${verb} ${report.results.count} results, ${report.objects.count} artifacts (${mb(report.objects.bytes)}), ${report.items.count} item results (${mb(report.items.bytes)}), ${report.temporary.count} staging folders (${mb(report.temporary.bytes)})`,
  ];
  if (report.slurm.count > 0) lines.push(`${verb} ${report.slurm.count} finished Slurm batch folders and spec files (${mb(report.slurm.bytes)})`);
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}
