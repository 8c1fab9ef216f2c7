/**
 * Checks the WASM training kernels of stages/model/wasm against the stock CPU backend on seeded
 * random inputs.
 *
 * Tolerance: 1e-4 of the largest reference value. Both backends compute in float32 but sum in
 * different orders (XNNPACK blocks versus JS loops), which leaves errors of about 1e-6 for the
 * sums of at most a few hundred products here. A wrong index or a missing term gives errors of
 * order 1.
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../stages/model/backend.ts";
import { collectingLogger, computeOn, relativeError } from "./kernels-compare.ts";

const TOLERANCE = 1e-4;
const stockBatchNormGrad = tf.getGradient("FusedBatchNorm");

type Shape4 = [number, number, number, number];

interface ConvCase {
  name: string;
  x: Shape4;
  filter: Shape4;
  strides: number | [number, number];
  pad: "same" | "valid" | number | tf.backend_util.ExplicitPadding;
  /** A kernel that only the fast Conv2DBackpropInput path runs. */
  fastPathKernel?: string;
}

const CONV_CASES: ConvCase[] = [
  { name: "3x3 same stride 1", x: [2, 9, 7, 3], filter: [3, 3, 3, 5], strides: 1, pad: "same", fastPathKernel: "BatchMatMul" },
  { name: "3x3 valid stride 1", x: [1, 6, 8, 2], filter: [3, 3, 2, 4], strides: 1, pad: "valid", fastPathKernel: "BatchMatMul" },
  { name: "5x3 explicit pad stride 1", x: [2, 7, 6, 3], filter: [5, 3, 3, 2], strides: 1, pad: [[0, 0], [1, 3], [0, 2], [0, 0]], fastPathKernel: "BatchMatMul" },
  { name: "1x1 stride 1", x: [1, 5, 5, 4], filter: [1, 1, 4, 6], strides: 1, pad: "same", fastPathKernel: "BatchMatMul" },
  { name: "3x3 valid stride 2", x: [2, 9, 8, 3], filter: [3, 3, 3, 4], strides: 2, pad: "valid" },
  { name: "3x3 same stride 2 odd size", x: [2, 9, 7, 3], filter: [3, 3, 3, 4], strides: 2, pad: "same" },
  { name: "3x3 stride [2,1] explicit pad", x: [1, 8, 6, 2], filter: [3, 3, 2, 3], strides: [2, 1], pad: [[0, 0], [1, 1], [0, 2], [0, 0]] },
  { name: "2x2 valid stride 2 odd size", x: [2, 7, 9, 3], filter: [2, 2, 3, 4], strides: 2, pad: "valid" },
];

interface TransposeCase {
  name: string;
  x: Shape4;
  /** [fh, fw, outChannels, inChannels], as tf.conv2dTranspose takes it. */
  filter: Shape4;
  stride: number;
  fastPathKernel?: string;
}

const TRANSPOSE_CASES: TransposeCase[] = [
  { name: "2x2 stride 2 (U-Net up-convolution)", x: [2, 4, 5, 6], filter: [2, 2, 3, 6], stride: 2, fastPathKernel: "Concat" },
  { name: "3x3 stride 2", x: [1, 3, 4, 4], filter: [3, 3, 2, 4], stride: 2 },
  { name: "3x3 stride 1", x: [2, 5, 5, 3], filter: [3, 3, 2, 3], stride: 1, fastPathKernel: "BatchMatMul" },
];

const silent = collectingLogger();

before(async () => {
  await initBackend("wasm", silent, { threads: 1 });
});

type Forward = (input: tf.Tensor4D, weights: tf.Tensor4D) => tf.Tensor;

/** Returns [y, dL/dx, dL/dW] for L = sum(y * r) with seeded random x, W and r. */
function outputsAndGradients(xShape: Shape4, filterShape: Shape4, forward: Forward, seed: number): tf.Tensor[] {
  const x = tf.randomNormal(xShape, 0, 1, "float32", seed);
  const filter = tf.randomNormal(filterShape, 0, 1, "float32", seed + 1);
  const y = forward(x as tf.Tensor4D, filter as tf.Tensor4D);
  const r = tf.randomNormal(y.shape, 0, 1, "float32", seed + 2);
  const loss = (input: tf.Tensor, weights: tf.Tensor) => tf.sum(tf.mul(forward(input as tf.Tensor4D, weights as tf.Tensor4D), r));
  const [dx, dW] = tf.grads(loss)([x, filter]);
  return [y, dx, dW];
}

function convOutputsAndGradients(c: ConvCase, seed: number): tf.Tensor[] {
  const forward: Forward = (input, weights) => tf.conv2d(input, weights, c.strides, c.pad);
  return outputsAndGradients(c.x, c.filter, forward, seed);
}

function transposeOutputsAndGradients(c: TransposeCase, seed: number): tf.Tensor[] {
  const outputShape: Shape4 = [c.x[0], c.x[1] * c.stride, c.x[2] * c.stride, c.filter[2]];
  const forward: Forward = (input, weights) => tf.conv2dTranspose(input, weights, outputShape, c.stride, "same");
  return outputsAndGradients(c.x, c.filter, forward, seed);
}

async function kernelNamesOnWasm(fn: () => tf.Tensor[]): Promise<string[]> {
  await tf.setBackend("wasm");
  const profile = await tf.profile(() => {
    tf.tidy(fn);
  });
  return profile.kernels.map((k) => k.name);
}

function assertClose(actual: Float32Array[], expected: Float32Array[], labels: string[]): void {
  labels.forEach((label, i) => {
    const error = relativeError(actual[i], expected[i]);
    assert.ok(error <= TOLERANCE, `${label}: relative error ${error} exceeds ${TOLERANCE}`);
  });
}

/** Compares [y, dL/dx, dL/dW] on wasm with cpu and checks that the expected fast path ran. */
async function checkAgainstCpu(compute: () => tf.Tensor[], fastPathKernel: string | undefined): Promise<void> {
  const expected = await computeOn("cpu", compute);
  const actual = await computeOn("wasm", compute);
  assertClose(actual, expected, ["y", "dL/dx", "dL/dW"]);

  if (fastPathKernel != null) {
    const kernels = await kernelNamesOnWasm(compute);
    assert.ok(kernels.includes(fastPathKernel), `expected ${fastPathKernel} among ${kernels.join(" ")}`);
  }
}

describe("conv2d gradients on wasm", () => {
  CONV_CASES.forEach((c, i) => {
    test(`conv2d ${c.name}`, async () => {
      await checkAgainstCpu(() => convOutputsAndGradients(c, 100 + 10 * i), c.fastPathKernel);
    });
  });

  TRANSPOSE_CASES.forEach((c, i) => {
    test(`conv2dTranspose ${c.name}`, async () => {
      await checkAgainstCpu(() => transposeOutputsAndGradients(c, 300 + 10 * i), c.fastPathKernel);
    });
  });

  test("weight gradient with ceil rounding matches direct sum", async () => {
    // Stock TF.js 4.22 gets dimRoundingMode "ceil" wrong in the WASM forward conv2d and in the
    // CPU weight gradient, so the reference here is the defining sum.
    const xShape: Shape4 = [1, 8, 7, 2];
    const filterShape: Shape4 = [3, 3, 2, 3];
    const attrs = { strides: 2, pad: 1, dataFormat: "NHWC", dimRoundingMode: "ceil", filterShape };
    const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, 2, 1, 1, "ceil");
    const dyShape: Shape4 = [1, info.outHeight, info.outWidth, 3];
    const [x, dy, dW] = await computeOn("wasm", () => {
      const input = tf.randomNormal(xShape, 0, 1, "float32", 41);
      const gradient = tf.randomNormal(dyShape, 0, 1, "float32", 42);
      const weights = tf.engine().runKernel("Conv2DBackpropFilter", { x: input, dy: gradient }, attrs as unknown as tf.NamedAttrMap);
      return [input, gradient, weights as tf.Tensor];
    });

    assert.equal(info.outHeight, 5, "ceil rounding must need padding beyond the input here");
    const expected = weightGradientBySum(x, dy, xShape, dyShape, filterShape, 2, info.padInfo);
    const error = relativeError(dW, expected);
    assert.ok(error <= TOLERANCE, `dL/dW: relative error ${error} exceeds ${TOLERANCE}`);
  });

  test("weight gradient kernel frees its intermediates", async () => {
    await tf.setBackend("wasm");
    const c = CONV_CASES[5];
    tf.dispose(tf.tidy(() => convOutputsAndGradients(c, 7)));
    const before = tf.memory().numTensors;

    tf.dispose(tf.tidy(() => convOutputsAndGradients(c, 7)));

    assert.equal(tf.memory().numTensors, before);
  });

  test("NCHW weight gradient raises an error", async () => {
    await tf.setBackend("wasm");
    const x = tf.zeros([1, 4, 4, 2]);
    const dy = tf.zeros([1, 4, 4, 3]);
    const attrs = { strides: 1, pad: "same", dataFormat: "NCHW", filterShape: [3, 3, 2, 3] };

    assert.throws(
      () => tf.engine().runKernel("Conv2DBackpropFilter", { x, dy }, attrs as unknown as tf.NamedAttrMap),
      /dataFormat NCHW is not supported/,
    );
  });
});

/** dW[kh, kw, ci, co] = sum over b, oy, ox of x[b, oy*s + kh - top, ox*s + kw - left, ci] * dy[b, oy, ox, co]. */
function weightGradientBySum(
  x: Float32Array,
  dy: Float32Array,
  [batch, height, width, inChannels]: Shape4,
  [, outHeight, outWidth, outChannels]: Shape4,
  [filterHeight, filterWidth]: Shape4,
  stride: number,
  padding: { top: number; left: number },
): Float32Array {
  const dW = new Float32Array(filterHeight * filterWidth * inChannels * outChannels);
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        for (let kh = 0; kh < filterHeight; kh++) {
          for (let kw = 0; kw < filterWidth; kw++) {
            const iy = oy * stride + kh - padding.top;
            const ix = ox * stride + kw - padding.left;
            if (iy < 0 || iy >= height || ix < 0 || ix >= width) continue;
            for (let ci = 0; ci < inChannels; ci++) {
              for (let co = 0; co < outChannels; co++) {
                const xValue = x[((b * height + iy) * width + ix) * inChannels + ci];
                const dyValue = dy[((b * outHeight + oy) * outWidth + ox) * outChannels + co];
                dW[((kh * filterWidth + kw) * inChannels + ci) * outChannels + co] += xValue * dyValue;
              }
            }
          }
        }
      }
    }
  }
  return dW;
}

interface BatchNormCase {
  name: string;
  x: number[];
  /** Shape of mean, variance, scale and offset. */
  parameters: number[];
}

// Every case passes scale and offset: without them tfjs-core 4.22 fails on its own before any
// gradient function runs (it saves the missing scale, and its tape reads the missing offset).
const BATCH_NORM_CASES: BatchNormCase[] = [
  { name: "rank 4, per channel", x: [2, 5, 4, 3], parameters: [3] },
  { name: "rank 2, per channel", x: [6, 3], parameters: [3] },
  { name: "rank 5, per channel", x: [1, 2, 3, 4, 3], parameters: [3] },
  { name: "parameters of x's shape", x: [2, 3, 3, 2], parameters: [2, 3, 3, 2] },
];

const EPSILON = 1e-3;

/** Returns seeded [x, mean, variance, scale, offset] and the weights r of the loss sum(y * r). */
function batchNormInputs(c: BatchNormCase, seed: number): { inputs: tf.Tensor[]; r: tf.Tensor } {
  const inputs = [
    tf.randomNormal(c.x, 0, 1, "float32", seed),
    tf.randomNormal(c.parameters, 0, 1, "float32", seed + 1),
    tf.randomUniform(c.parameters, 0.5, 2, "float32", seed + 2),
    tf.randomNormal(c.parameters, 1, 0.5, "float32", seed + 3),
    tf.randomNormal(c.parameters, 0, 1, "float32", seed + 4),
  ];
  return { inputs, r: tf.randomNormal(c.x, 0, 1, "float32", seed + 5) };
}

/** Returns the gradients of sum(batchNorm(...) * r) through tf.batchNorm, whose FusedBatchNorm gradient is under test. */
function batchNormGradients(c: BatchNormCase, seed: number): tf.Tensor[] {
  const { inputs, r } = batchNormInputs(c, seed);
  const loss = (x: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor) =>
    tf.sum(tf.mul(tf.batchNorm(x, mean, variance, offset, scale, EPSILON), r));
  return tf.grads(loss)(inputs);
}

/** Returns the same gradients through batch norm written with primitive ops, independent of FusedBatchNorm. */
function primitiveBatchNormGradients(c: BatchNormCase, seed: number): tf.Tensor[] {
  const { inputs, r } = batchNormInputs(c, seed);
  const loss = (x: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor) => {
    const normalized = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, EPSILON)));
    return tf.sum(tf.mul(tf.add(tf.mul(normalized, scale), offset), r));
  };
  return tf.grads(loss)(inputs);
}

/** Returns the gradients of the stock tfjs-core 4.22 gradient function, called directly (rank 4 only). */
function stockBatchNormGradients(c: BatchNormCase, seed: number): tf.Tensor[] {
  const { inputs, r } = batchNormInputs(c, seed);
  const grads = stockBatchNormGrad.gradFunc(r, inputs.slice(0, 4), { varianceEpsilon: EPSILON });
  return [grads.x(), grads.mean(), grads.variance(), grads.scale(), grads.offset()];
}

describe("batch norm gradient without tile", () => {
  const labels = ["dx", "dmean", "dvariance", "dscale", "doffset"];

  BATCH_NORM_CASES.forEach((c, i) => {
    test(`batchNorm ${c.name} matches primitive ops on cpu`, async () => {
      const expected = await computeOn("cpu", () => primitiveBatchNormGradients(c, 500 + 10 * i));
      const actual = await computeOn("wasm", () => batchNormGradients(c, 500 + 10 * i));

      assertClose(actual, expected, labels);
    });
  });

  test("batchNorm rank 4 matches the stock gradient", async () => {
    const c = BATCH_NORM_CASES[0];
    const expected = await computeOn("cpu", () => stockBatchNormGradients(c, 700));
    const actual = await computeOn("wasm", () => batchNormGradients(c, 700));

    assertClose(actual, expected, labels);
  });

  test("batchNorm gradient on wasm runs no Tile", async () => {
    const c = BATCH_NORM_CASES[0];
    const kernels = await kernelNamesOnWasm(() => batchNormGradients(c, 700));

    assert.ok(kernels.includes("FusedBatchNorm"), `expected FusedBatchNorm among ${kernels.join(" ")}`);
    assert.ok(!kernels.includes("Tile"), `unexpected Tile among ${kernels.join(" ")}`);
  });
});

describe("conv3d on wasm", () => {
  const x = () => tf.randomNormal([1, 4, 4, 4, 2], 0, 1, "float32", 900) as tf.Tensor5D;
  const filter = () => tf.randomNormal([3, 3, 3, 2, 3], 0, 1, "float32", 901) as tf.Tensor5D;

  test("conv3d input gradient raises an error", async () => {
    await tf.setBackend("wasm");
    const w = filter();
    const gradient = tf.grad((input: tf.Tensor) => tf.sum(tf.conv3d(input as tf.Tensor5D, w, 1, "same")));

    assert.throws(() => gradient(x()), /Conv3DBackpropInputV2 is disabled on the "wasm" backend/);
  });

  test("conv3d filter gradient raises an error", async () => {
    await tf.setBackend("wasm");
    const input = x();
    const gradient = tf.grad((w: tf.Tensor) => tf.sum(tf.conv3d(input, w as tf.Tensor5D, 1, "same")));

    assert.throws(() => gradient(filter()), /Conv3DBackpropFilterV2 is disabled on the "wasm" backend/);
  });

  test("conv3dTranspose raises an error", async () => {
    await tf.setBackend("wasm");
    const w = tf.randomNormal([2, 2, 2, 3, 2], 0, 1, "float32", 902) as tf.Tensor5D;

    assert.throws(() => tf.conv3dTranspose(x(), w, [1, 8, 8, 8, 3], 2, "same"), /Conv3DBackpropInputV2 is disabled/);
  });

  test("conv3d forward still matches cpu", async () => {
    const expected = await computeOn("cpu", () => [tf.conv3d(x(), filter(), 1, "same")]);
    const actual = await computeOn("wasm", () => [tf.conv3d(x(), filter(), 1, "same")]);

    assertClose(actual, expected, ["y"]);
  });
});

describe("identity on wasm", () => {
  test("clone shares data until disposed", async () => {
    await tf.setBackend("wasm");
    const before = tf.memory();
    const original = tf.tensor2d([[1, 2], [3, 4]]);

    const clone = tf.clone(original);
    const backend = tf.backend() as tf.KernelBackend & { refCount(dataId: object): number };
    assert.equal(backend.refCount(clone.dataId), 2);
    original.dispose();

    assert.deepEqual(Array.from(clone.dataSync()), [1, 2, 3, 4]);
    clone.dispose();
    assert.equal(tf.memory().numTensors, before.numTensors);
    assert.equal(tf.memory().numBytes, before.numBytes);
  });
});

describe("sum and mean on wasm", () => {
  const REDUCTION_CASES: { name: string; shape: number[]; axis: number | number[]; keepDims: boolean; matMul: boolean }[] = [
    { name: "leading axes of rank 4", shape: [2, 5, 4, 3], axis: [0, 1, 2], keepDims: false, matMul: true },
    { name: "negative unsorted axes, keepDims", shape: [2, 5, 4, 3], axis: [-2, -4, 1], keepDims: true, matMul: true },
    { name: "axis 0 of rank 2", shape: [7, 6], axis: 0, keepDims: false, matMul: true },
    { name: "last axis (stock)", shape: [2, 5, 4, 3], axis: -1, keepDims: false, matMul: false },
    { name: "inner axes (stock)", shape: [2, 5, 4, 3], axis: [1, 2], keepDims: true, matMul: false },
    { name: "rank 1 (stock)", shape: [9], axis: 0, keepDims: false, matMul: false },
  ];

  REDUCTION_CASES.forEach((c, i) => {
    test(`sum and mean, ${c.name}`, async () => {
      const compute = () => {
        const x = tf.randomNormal(c.shape, 0, 1, "float32", 950 + i);
        return [tf.sum(x, c.axis, c.keepDims), tf.mean(x, c.axis, c.keepDims)];
      };
      const expected = await computeOn("cpu", compute);
      const actual = await computeOn("wasm", compute);
      assertClose(actual, expected, ["sum", "mean"]);

      assert.deepEqual(await computeShapesOn("wasm", compute), await computeShapesOn("cpu", compute));
      const kernels = await kernelNamesOnWasm(compute);
      assert.equal(kernels.includes("BatchMatMul"), c.matMul, `kernels: ${kernels.join(" ")}`);
    });
  });

  test("int32 sum takes stock kernel", async () => {
    const compute = () => [tf.sum(tf.tensor2d([[1, 2], [3, 4]], [2, 2], "int32"), 0)];
    const [values] = await computeOn("wasm", compute);

    assert.deepEqual(Array.from(values), [4, 6]);
  });
});

async function computeShapesOn(backendName: string, fn: () => tf.Tensor[]): Promise<number[][]> {
  await tf.setBackend(backendName);
  return tf.tidy(() => fn().map((t) => t.shape));
}

