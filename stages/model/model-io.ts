/**
 * Saving and loading TF.js layers models as `model.json` + `weights.bin` in a directory, the
 * layout that `tf.loadLayersModel("file://...")` of tfjs-node and the browser loaders read.
 * Plain `@tensorflow/tfjs` registers no file system handler in Node, so this module is the one.
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";

export const MODEL_JSON = "model.json";
export const WEIGHTS_BIN = "weights.bin";

/** Writes `model` to `dir/model.json` and `dir/weights.bin`, each replaced atomically. */
export async function saveModel(model: tf.LayersModel, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    const weightData = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
    const manifest = [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }];
    const modelJson: tf.io.ModelJSON = {
      format: artifacts.format,
      generatedBy: artifacts.generatedBy,
      convertedBy: artifacts.convertedBy,
      modelTopology: artifacts.modelTopology as object,
      weightsManifest: manifest,
    };
    await writeAtomically(join(dir, WEIGHTS_BIN), new Uint8Array(weightData));
    await writeAtomically(join(dir, MODEL_JSON), JSON.stringify(modelJson));
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
  }));
}

/** Loads a model saved by `saveModel` (or any single-directory TF.js layers model). */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  const path = join(dir, MODEL_JSON);
  let modelJson: tf.io.ModelJSON;
  try {
    modelJson = JSON.parse(await readFile(path, "utf8")) as tf.io.ModelJSON;
  } catch (error) {
    throw new Error(`loadModel: cannot read ${path}: ${(error as Error).message}; is ${dir} a saved TF.js model?`);
  }

  const artifacts = await tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
    const specs = manifest.flatMap((group) => group.weights);
    const buffers = [];
    for (const group of manifest) {
      for (const file of group.paths) buffers.push(toArrayBuffer(await readFile(join(dir, file))));
    }
    return [specs, tf.io.concatenateArrayBuffers(buffers)];
  });
  return tf.loadLayersModel(tf.io.fromMemory(artifacts));
}

/** Writes `data` to a temporary file next to `path` and renames it, so readers never see half a file. */
export async function writeAtomically(path: string, data: string | Uint8Array): Promise<void> {
  const temporary = `${path}.tmp-${process.pid}`;
  await writeFile(temporary, data);
  await rename(temporary, path);
}

function toArrayBuffer(bytes: Buffer): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
