/**
 * A 2D U-Net for slice-wise segmentation, built with tfjs-layers.
 *
 * Layout (defaults in `UNET_DEFAULTS`): `depth` encoder levels with `baseFilters * 2^level`
 * filters (16-32-64-128), a bottleneck with `baseFilters * 2^depth` filters (256), and a mirrored
 * decoder. Each level and the bottleneck run two 3x3 "same" convolutions, each followed by batch
 * norm (if enabled) and ReLU. Downsampling is 2x2 max pooling. Upsampling is a 2x2 stride-2
 * `conv2dTranspose`, and its output is concatenated with the encoder features of the same
 * level (the skip connection). A 1x1 convolution with softmax gives per-pixel class probabilities.
 *
 * Tensor layout: input [batch, height, width, inputChannels], output [batch, height, width,
 * numClasses]. Height and width must be multiples of 2^depth. For 2.5D input the channels are
 * the neighbouring axial slices, `inputChannels = 2 * contextSlices + 1`.
 */
import * as tf from "@tensorflow/tfjs";

export interface UNetOptions {
  /** Number of classes of the softmax output, background included (at least 2). */
  numClasses: number;
  /** Input channels: 1, or 2k + 1 for 2.5D input with k neighbouring slices on each side. */
  inputChannels?: number;
  /** Encoder levels (pooling steps); the input size must be a multiple of 2^depth. */
  depth?: number;
  /** Filters of the first level; each deeper level doubles them. */
  baseFilters?: number;
  /** Batch normalization after each 3x3 convolution. */
  batchNorm?: boolean;
  /** Dropout rate after each encoder, bottleneck and decoder block; 0 disables dropout. */
  dropout?: number;
  /**
   * Seed of the weight initializers. Every layer gets `seed + its index`, so two nets built with
   * the same seed and options start from the same weights, and two nets that differ only in
   * `numClasses` start from the same weights in every layer but the output layer.
   */
  seed?: number;
  /** Fixed input height and width in pixels, or null (the default) to accept any size. */
  inputSize?: number | null;
}

/**
 * Defaults: base 16 filters and depth 4 (16-32-64-128, 256 in the bottleneck), batch norm on,
 * no dropout, one input channel. The filter widths follow the common 2D U-Net configuration,
 * scaled down from the 32-512 of nnU-Net's 2D plans to suit CPU and WASM training.
 */
export const UNET_DEFAULTS = {
  inputChannels: 1,
  depth: 4,
  baseFilters: 16,
  batchNorm: true,
  dropout: 0,
  seed: 0,
  inputSize: null as number | null,
};

/** Options with every default applied. */
export type ResolvedUNetOptions = Required<UNetOptions>;

export function resolveUNetOptions(options: UNetOptions): ResolvedUNetOptions {
  const resolved = { ...UNET_DEFAULTS, ...dropUndefined(options) } as ResolvedUNetOptions;
  validateOptions(resolved);
  return resolved;
}

/** Builds the U-Net described in the module docstring; see `UNET_DEFAULTS` for the defaults. */
export function buildUNet(options: UNetOptions): tf.LayersModel {
  const resolved = resolveUNetOptions(options);
  const builder = new LayerBuilder(resolved);
  const size = resolved.inputSize;
  const input = tf.input({ shape: [size, size, resolved.inputChannels], name: "image" });

  const skips: tf.SymbolicTensor[] = [];
  let x: tf.SymbolicTensor = input;
  for (let level = 0; level < resolved.depth; level++) {
    x = builder.convBlock(x, filtersAt(resolved, level), `enc${level}`);
    skips.push(x);
    x = tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `enc${level}_pool` }).apply(x) as tf.SymbolicTensor;
  }

  x = builder.convBlock(x, filtersAt(resolved, resolved.depth), "bottleneck");

  for (let level = resolved.depth - 1; level >= 0; level--) {
    x = builder.upsample(x, filtersAt(resolved, level), `dec${level}`);
    x = tf.layers.concatenate({ axis: -1, name: `dec${level}_skip` }).apply([x, skips[level]]) as tf.SymbolicTensor;
    x = builder.convBlock(x, filtersAt(resolved, level), `dec${level}`);
  }

  const output = builder.outputLayer(x);
  return tf.model({ inputs: input, outputs: output, name: "unet2d" });
}

/** Returns the filter count at `level` (0 = first encoder level, `depth` = bottleneck). */
export function filtersAt(options: ResolvedUNetOptions, level: number): number {
  return options.baseFilters * 2 ** level;
}

/** Creates layers with explicit names (stable `model.json` across runs) and seeded initializers. */
class LayerBuilder {
  private layerIndex = 0;

  constructor(private readonly options: ResolvedUNetOptions) {}

  convBlock(x: tf.SymbolicTensor, filters: number, name: string): tf.SymbolicTensor {
    for (let i = 1; i <= 2; i++) {
      x = this.apply(tf.layers.conv2d({
        filters,
        kernelSize: 3,
        padding: "same",
        // A bias before batch norm is cancelled by the mean subtraction, so it is left out.
        useBias: !this.options.batchNorm,
        kernelInitializer: this.heNormal(),
        name: `${name}_conv${i}`,
      }), x);
      if (this.options.batchNorm) {
        x = this.apply(tf.layers.batchNormalization({ axis: -1, name: `${name}_bn${i}` }), x);
      }
      x = this.apply(tf.layers.reLU({ name: `${name}_relu${i}` }), x);
    }
    if (this.options.dropout > 0) {
      // NOTE: tfjs dropout draws from Math.random, so training with dropout > 0 is not
      // reproducible from the seed and a resumed run will not match an uninterrupted one.
      x = this.apply(tf.layers.dropout({ rate: this.options.dropout, name: `${name}_dropout` }), x);
    }
    return x;
  }

  upsample(x: tf.SymbolicTensor, filters: number, name: string): tf.SymbolicTensor {
    return this.apply(tf.layers.conv2dTranspose({
      filters,
      kernelSize: 2,
      strides: 2,
      padding: "same",
      kernelInitializer: this.heNormal(),
      name: `${name}_up`,
    }), x);
  }

  outputLayer(x: tf.SymbolicTensor): tf.SymbolicTensor {
    return this.apply(tf.layers.conv2d({
      filters: this.options.numClasses,
      kernelSize: 1,
      activation: "softmax",
      kernelInitializer: tf.initializers.glorotUniform({ seed: this.nextSeed() }),
      name: "output",
    }), x);
  }

  private apply(layer: tf.layers.Layer, x: tf.SymbolicTensor): tf.SymbolicTensor {
    return layer.apply(x) as tf.SymbolicTensor;
  }

  private heNormal(): ReturnType<typeof tf.initializers.heNormal> {
    return tf.initializers.heNormal({ seed: this.nextSeed() });
  }

  private nextSeed(): number {
    this.layerIndex += 1;
    return this.options.seed + this.layerIndex;
  }
}

function validateOptions(options: ResolvedUNetOptions): void {
  const integers: [string, number, number][] = [
    ["numClasses", options.numClasses, 2],
    ["inputChannels", options.inputChannels, 1],
    ["depth", options.depth, 1],
    ["baseFilters", options.baseFilters, 1],
  ];
  for (const [name, value, min] of integers) {
    if (!Number.isInteger(value) || value < min) {
      throw new Error(`buildUNet: ${name} must be an integer >= ${min}, got ${value}`);
    }
  }
  if (!(options.dropout >= 0 && options.dropout < 1)) {
    throw new Error(`buildUNet: dropout must be in [0, 1), got ${options.dropout}`);
  }
  const multiple = 2 ** options.depth;
  if (options.inputSize !== null && options.inputSize % multiple !== 0) {
    throw new Error(
      `buildUNet: inputSize ${options.inputSize} is not a multiple of 2^depth = ${multiple}; ` +
        `choose a patch size divisible by ${multiple} or a smaller depth`,
    );
  }
}

function dropUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
