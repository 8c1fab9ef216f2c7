#!/usr/bin/env bash
# End-to-end check of the main pipeline on synthetic data with the `tiny` profile: every stage
# runs, the report is written, and a second run is fully cached. Takes a few minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE=$(mktemp -d /tmp/segsweep-e2e-XXXXXX)
PIPELINE=pipelines/lung-tumor-granularity.yaml
segsweep() { node engine/cli/bin.js "$@"; }

started=$(date +%s)
segsweep run "$PIPELINE" --set profile=tiny --cache-dir "$CACHE" --json > "$CACHE/first.json"
echo "first run: $(( $(date +%s) - started )) s"

report_digest=$(node -e '
  const run = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const compare = run.tasks.find((t) => t.id === "compare");
  if (!compare || compare.status !== "ran") { console.error("compare did not run:", JSON.stringify(compare)); process.exit(1); }
  console.log(compare.outputs.report.slice(7));
' "$CACHE/first.json")
for file in report.html report.md report.json; do
  test -s "$CACHE/objects/$report_digest/$file" || { echo "missing $file in the report artifact"; exit 1; }
done
grep -q "SYNTHETIC\|synthetic" "$CACHE/objects/$report_digest/report.md" || { echo "the report does not say the data were synthetic"; exit 1; }

started=$(date +%s)
segsweep run "$PIPELINE" --set profile=tiny --cache-dir "$CACHE" --json > "$CACHE/second.json"
node -e '
  const run = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const notCached = run.tasks.filter((t) => t.status !== "cached").map((t) => t.id);
  if (notCached.length > 0) { console.error("rerun was not fully cached:", notCached.join(", ")); process.exit(1); }
  console.log(`rerun: all ${run.tasks.length} tasks cached in ${run.elapsedMs} ms`);
' "$CACHE/second.json"
echo "e2e: report written and rerun fully cached"
rm -rf "$CACHE"
