/**
 * Training checkpoints that survive a killed task.
 *
 * Layout under the checkpoint root:
 * - `epoch-NNNN/model.json` + `weights.bin`: all weights, batch-norm statistics included.
 * - `epoch-NNNN/optimizer.json` + `optimizer.bin`: Adam step, moments, bias-correction powers.
 * - `epoch-NNNN/best.bin`: weights of the best epoch so far, when model selection needs them.
 * - `epoch-NNNN/state.json`: completed epoch, RNG state, learning curve, best epoch, config digest.
 * - `latest.json`: the name of the newest complete checkpoint directory. It is replaced
 *   atomically after that directory is complete, so a kill mid-save leaves the previous one.
 */
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { loadModel, saveModel, writeAtomically } from "../model/model-io.ts";

/** Environment variable naming a checkpoint directory that outlives the task's scratch directory. */
export const CHECKPOINT_DIR_ENV = "SEGSWEEP_CHECKPOINT_DIR";

/** Learning-curve entry of one epoch. */
export interface EpochRecord {
  epoch: number;
  /** Mean training loss over the epoch's steps. */
  train_loss: number;
  /** Mean per-case 3D tumor Dice on the validation cases; null in epochs without validation (`validate_every`). */
  val_tumor_dice: number | null;
}

export interface TrainingState {
  /** Completed epochs. */
  epoch: number;
  rngState: number;
  curve: EpochRecord[];
  best: { epoch: number; val_tumor_dice: number } | null;
  /** Digest of everything that must match for a resume (see `configDigest`). */
  configDigest: string;
}

/**
 * Returns the checkpoint root: `$SEGSWEEP_CHECKPOINT_DIR` when set, else
 * `<scratchDir>/checkpoints`. The engine sets the variable per task key, so a rerun of a killed
 * task finds the checkpoint. The scratch directory is removed with the task, so it only serves a
 * run that is not killed.
 */
export function checkpointRoot(scratchDir: string): string {
  return process.env[CHECKPOINT_DIR_ENV] || join(scratchDir, "checkpoints");
}

/** Returns a sha256 digest of the JSON of `value` with sorted keys. */
export function configDigest(value: unknown): string {
  return "sha256:" + createHash("sha256").update(stableJson(value)).digest("hex");
}

export async function saveCheckpoint(
  root: string,
  model: tf.LayersModel,
  optimizer: tf.AdamOptimizer,
  state: TrainingState,
  bestWeights: Float32Array[] | null,
): Promise<void> {
  const name = `epoch-${String(state.epoch).padStart(4, "0")}`;
  const dir = join(root, name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });

  await saveModel(model, dir);
  await saveOptimizer(optimizer, dir);
  if (bestWeights) await writeFile(join(dir, "best.bin"), concatFloat32(bestWeights));
  await writeFile(join(dir, "state.json"), JSON.stringify(state, null, 2));
  await writeAtomically(join(root, "latest.json"), JSON.stringify({ checkpoint: name }));

  await removeOlderCheckpoints(root, name);
}

export interface LoadedCheckpoint {
  state: TrainingState;
  /** Weights of the best epoch in `model.getWeights()` order, when saved. */
  bestWeights: Float32Array[] | null;
}

/**
 * Restores the latest checkpoint into `model` and `optimizer` and returns its state, or returns
 * null when there is none or it was written for another config (logged, then ignored).
 */
export async function restoreLatestCheckpoint(
  root: string,
  digest: string,
  model: tf.LayersModel,
  optimizer: tf.AdamOptimizer,
  log: { info(message: string): void; warn(message: string): void },
): Promise<LoadedCheckpoint | null> {
  let name: string;
  try {
    name = (JSON.parse(await readFile(join(root, "latest.json"), "utf8")) as { checkpoint: string }).checkpoint;
  } catch {
    return null;
  }
  const dir = join(root, name);
  const state = JSON.parse(await readFile(join(dir, "state.json"), "utf8")) as TrainingState;
  if (state.configDigest !== digest) {
    log.warn(`ignoring checkpoint ${dir}: written for config ${state.configDigest}, this run is ${digest}`);
    return null;
  }

  const saved = await loadModel(dir);
  const savedWeights = saved.getWeights();
  model.setWeights(savedWeights);
  saved.dispose();
  await restoreOptimizer(optimizer, dir);

  let bestWeights: Float32Array[] | null = null;
  try {
    const bytes = await readFile(join(dir, "best.bin"));
    bestWeights = splitFloat32(bytes, model.getWeights().map((w) => w.size));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  log.info(`resuming from checkpoint ${dir} after epoch ${state.epoch}`);
  return { state, bestWeights };
}

/** Adam's bias-correction powers beta^t, private fields of tfjs-core 4.22's AdamOptimizer. */
interface AdamInternals {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
}

async function saveOptimizer(optimizer: tf.AdamOptimizer, dir: string): Promise<void> {
  const weights = await optimizer.getWeights();
  const { data, specs } = await tf.io.encodeWeights(weights);
  // getWeights returns a new scalar for the step count and the live moment variables.
  weights[0].tensor.dispose();

  const internals = adamInternals(optimizer);
  const powers = [internals.accBeta1.dataSync()[0], internals.accBeta2.dataSync()[0]];
  await writeFile(join(dir, "optimizer.bin"), new Uint8Array(tf.io.CompositeArrayBuffer.join(data)));
  await writeFile(join(dir, "optimizer.json"), JSON.stringify({ specs, bias_correction_powers: powers }));
}

async function restoreOptimizer(optimizer: tf.AdamOptimizer, dir: string): Promise<void> {
  const meta = JSON.parse(await readFile(join(dir, "optimizer.json"), "utf8")) as {
    specs: tf.io.WeightsManifestEntry[];
    bias_correction_powers: [number, number];
  };
  const bytes = await readFile(join(dir, "optimizer.bin"));
  const decoded = tf.io.decodeWeights(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), meta.specs);
  // Adam matches moments to variables by position, so the saved order is kept.
  const ordered = meta.specs.map((spec) => ({ name: spec.name, tensor: decoded[spec.name] }));
  await optimizer.setWeights(ordered);
  tf.dispose(Object.values(decoded));

  // setWeights recomputes beta^t with pow(), which differs in the last bits from the running
  // product that Adam keeps, so the saved values are restored for a bit-identical resume.
  const internals = adamInternals(optimizer);
  internals.accBeta1.assign(tf.scalar(meta.bias_correction_powers[0]));
  internals.accBeta2.assign(tf.scalar(meta.bias_correction_powers[1]));
}

function adamInternals(optimizer: tf.AdamOptimizer): AdamInternals {
  const internals = optimizer as unknown as Partial<AdamInternals>;
  if (!(internals.accBeta1 instanceof tf.Variable) || !(internals.accBeta2 instanceof tf.Variable)) {
    throw new Error("AdamOptimizer has no accBeta1/accBeta2 variables; checkpointing was written for tfjs-core 4.22");
  }
  return internals as AdamInternals;
}

/**
 * Removes every checkpoint under `root` once the task's outputs are written, so that a finished
 * task leaves no state behind and a forced rerun trains from the start.
 */
export async function clearCheckpoints(root: string): Promise<void> {
  await rm(join(root, "latest.json"), { force: true });
  await removeOlderCheckpoints(root, "");
}

async function removeOlderCheckpoints(root: string, keep: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(root);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  for (const entry of entries) {
    if (entry.startsWith("epoch-") && entry !== keep) await rm(join(root, entry), { recursive: true, force: true });
  }
}

function concatFloat32(arrays: Float32Array[]): Uint8Array {
  const total = arrays.reduce((sum, a) => sum + a.length, 0);
  const out = new Float32Array(total);
  let offset = 0;
  for (const a of arrays) {
    out.set(a, offset);
    offset += a.length;
  }
  return new Uint8Array(out.buffer);
}

function splitFloat32(bytes: Buffer, sizes: number[]): Float32Array[] {
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const expected = sizes.reduce((sum, n) => sum + n, 0);
  if (all.length !== expected) throw new Error(`best.bin has ${all.length} values, the model has ${expected}`);
  const out: Float32Array[] = [];
  let offset = 0;
  for (const size of sizes) {
    out.push(all.slice(offset, offset + size));
    offset += size;
  }
  return out;
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value && typeof value === "object") {
    const keys = Object.keys(value).sort();
    const entries = keys.map((key) => [key, (value as Record<string, unknown>)[key]] as const);
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
