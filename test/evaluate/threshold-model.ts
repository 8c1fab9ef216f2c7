/** A saved model whose prediction is known exactly, with its `training.json`. */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { saveModel } from "../../stages/model/model-io.ts";

/**
 * Builds and saves a model with classes [background, lung, tumour] that predicts tumour (class 2)
 * where the centre input channel is above 0.5 and background elsewhere: one 1 x 1 convolution
 * with fixed weights and a softmax. Writes `training.json` with the given split.
 */
export async function writeThresholdModel(
  dir: string,
  training: { validation: string[]; train: string[]; patchSize: number; contextSlices: number },
): Promise<void> {
  const channels = 2 * training.contextSlices + 1;
  const input = tf.input({ shape: [null, null, channels] as unknown as number[] });
  const conv = tf.layers.conv2d({ filters: 3, kernelSize: 1, activation: "softmax", name: "output" });
  const model = tf.model({ inputs: input, outputs: conv.apply(input) as tf.SymbolicTensor });

  const kernel = new Float32Array(channels * 3);
  kernel.set([-20, 0, 20], training.contextSlices * 3);
  conv.setWeights([tf.tensor4d(kernel, [1, 1, channels, 3]), tf.tensor1d([10, 0, -10])]);
  await saveModel(model, dir);
  model.dispose();

  const record = {
    classes: ["background", "lung", "tumor"],
    tumor_class: 2,
    // A U-Net depth of 3 makes evaluate require tile sizes divisible by 8, as a real U-Net would.
    params: { patch_size: training.patchSize, context_slices: training.contextSlices, unet: { depth: 3 } },
    split: { fold: 0, folds: 2, splitSeed: 0, train: training.train, validation: training.validation },
  };
  await writeFile(join(dir, "training.json"), JSON.stringify(record, null, 2));
}
