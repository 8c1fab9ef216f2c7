/**
 * Checks the conv-based weight gradient that initBackend("cpu") registers against the stock
 * pure-JS kernel it replaces. Tolerance 1e-4 of the largest value, as in kernels.test.ts.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../stages/model/backend.ts";
import { stockKernel } from "../../stages/model/wasm/kernel-registry.ts";
import { collectingLogger, relativeError } from "./kernels-compare.ts";

const CASES = [
  { name: "3x3 same stride 1", x: [2, 6, 5, 3], filterShape: [3, 3, 3, 4], strides: 1, pad: "same" },
  { name: "3x3 same stride 2", x: [2, 7, 6, 2], filterShape: [3, 3, 2, 3], strides: 2, pad: "same" },
  { name: "2x2 valid stride 2", x: [1, 8, 8, 4], filterShape: [2, 2, 4, 2], strides: 2, pad: "valid" },
] as const;

test("cpu weight gradient matches stock kernel", async () => {
  await initBackend("cpu", collectingLogger());
  const stock = stockKernel("Conv2DBackpropFilter", "cpu");
  assert.ok(stock != null);
  assert.notEqual(tf.getKernel("Conv2DBackpropFilter", "cpu")?.kernelFunc, stock.kernelFunc);

  CASES.forEach((c, i) => {
    tf.tidy(() => {
      const x = tf.randomNormal([...c.x], 0, 1, "float32", 10 + i) as tf.Tensor4D;
      const info = tf.backend_util.computeConv2DInfo(x.shape, [...c.filterShape], c.strides, 1, c.pad);
      const dy = tf.randomNormal([c.x[0], info.outHeight, info.outWidth, c.filterShape[3]], 0, 1, "float32", 20 + i);
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: "NHWC", filterShape: [...c.filterShape] };

      const actual = tf.engine().runKernel("Conv2DBackpropFilter", { x, dy }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
      const expected = stock.kernelFunc({ inputs: { x, dy }, backend: tf.backend(), attrs: attrs as unknown as tf.NamedAttrMap }) as tf.TensorInfo;
      const expectedValues = tf.engine().makeTensorFromTensorInfo(expected).dataSync() as Float32Array;

      const error = relativeError(actual.dataSync() as Float32Array, expectedValues);
      assert.ok(error <= 1e-4, `${c.name}: relative error ${error} exceeds 1e-4`);
    });
  });
});
