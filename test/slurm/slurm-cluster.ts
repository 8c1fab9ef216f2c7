/**
 * The one-node Slurm cluster of the Slurm tests: found through `SLURM_CONF` or
 * scripts/slurm/start.sh's folder, and started with that script when no controller responds
 * and the tests run as root.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { slurmAvailable } from "../../engine/execute/slurm/slurm-commands.ts";

const START_SCRIPT = fileURLToPath(new URL("../../scripts/slurm/start.sh", import.meta.url));
const SLURM_DIR = process.env.SEGSWEEP_SLURM_DIR ?? "/tmp/segsweep-slurm";

let ready: Promise<string | undefined> | undefined;

/** Returns why Slurm tests must skip, or undefined when a controller responds; starts one at most once. */
export function ensureSlurm(): Promise<string | undefined> {
  ready ??= startIfNeeded();
  return ready;
}

async function startIfNeeded(): Promise<string | undefined> {
  const conf = join(SLURM_DIR, "etc", "slurm.conf");
  if (!process.env.SLURM_CONF && existsSync(conf)) process.env.SLURM_CONF = conf;
  if ((await slurmAvailable()).ok) return undefined;
  if (process.getuid?.() !== 0) return `Slurm is not running and starting it needs root; run ${START_SCRIPT} as root`;

  const started = await execa(START_SCRIPT, [], { reject: false, all: true, env: { SEGSWEEP_SLURM_DIR: SLURM_DIR } });
  process.env.SLURM_CONF = conf;
  const status = await slurmAvailable();
  return status.ok ? undefined : `Slurm is not running and ${START_SCRIPT} could not start it: ${String(started.all ?? "").trim()} ${status.detail}`;
}
