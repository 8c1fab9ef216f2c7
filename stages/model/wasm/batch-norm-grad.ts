/**
 * Gradient of `FusedBatchNorm` (tf.batchNorm) that broadcasts instead of tiling.
 *
 * The stock gradient of tfjs-core 4.22 tiles 1/sqrt(variance + epsilon) to the full activation
 * shape before multiplying, and `Tile` is slow on WASM. Broadcasting gives the same values.
 * It also needs two reductions over the batch and spatial axes instead of four, and runs them
 * as matMuls with a ones vector, which were about 10x faster than `Sum` on WASM. Unlike the
 * stock gradient it works for inputs of any rank.
 *
 * Gradients are registered per kernel for every backend at once, so this replaces the
 * gradient on CPU and tfjs-node too.
 */
import * as tf from "@tensorflow/tfjs";

/** Registers the broadcasting gradient of `FusedBatchNorm` (process-wide, all backends). */
export function registerBatchNormGrad(): void {
  tf.registerGradient({
    kernelName: "FusedBatchNorm",
    inputsToSave: ["x", "mean", "variance", "scale"],
    gradFunc: batchNormGrad,
  });
}

/**
 * Returns the gradients of y = (x - mean) * s * scale + offset, s = 1 / sqrt(variance + epsilon),
 * with respect to each input. mean, variance, scale and offset are rank 1 [C] (broadcast over the
 * last axis of x) or have the shape of x. With g = dL/dy, S1 = sum(g) and S2 = sum(g * (x - mean))
 * over the broadcast axes:
 *   dx = g * scale * s,  doffset = S1,  dscale = S2 * s,
 *   dmean = -S1 * scale * s,  dvariance = -0.5 * S2 * scale * s^3.
 */
function batchNormGrad(dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap): Record<string, () => tf.Tensor> {
  const gradient = dy as tf.Tensor;
  const [x, mean, variance, scale] = saved;
  const epsilon = (attrs as unknown as { varianceEpsilon: number }).varianceEpsilon;

  const scaleOrOne = scale ?? tf.scalar(1);
  const inverseStd = tf.rsqrt(tf.add(variance, tf.scalar(epsilon)));
  const scaleTimesInverseStd = tf.mul(scaleOrOne, inverseStd);
  const gradientSum = reduceToParameterShape(gradient, mean.shape);
  const centeredGradientSum = reduceToParameterShape(tf.mul(gradient, tf.sub(x, mean)), mean.shape);

  return {
    x: () => tf.reshape(tf.mul(gradient, scaleTimesInverseStd), x.shape),
    mean: () => tf.neg(tf.mul(gradientSum, scaleTimesInverseStd)),
    variance: () => tf.mul(tf.mul(centeredGradientSum, scaleTimesInverseStd), tf.mul(tf.square(inverseStd), tf.scalar(-0.5))),
    scale: () => tf.mul(centeredGradientSum, inverseStd),
    offset: () => tf.reshape(gradientSum, mean.shape),
  };
}

/**
 * Sums t over the axes that a parameter of `parameterShape` is broadcast along. For per-channel
 * parameters [C] that is t viewed as [n, C] summed over n, done as ones [1, n] matMul t.
 */
function reduceToParameterShape(t: tf.Tensor, parameterShape: number[]): tf.Tensor {
  const reductionAxes = tf.broadcast_util.getReductionAxes(parameterShape, t.shape);
  if (reductionAxes.length === 0) return tf.reshape(t, parameterShape);

  const channels = t.shape[t.rank - 1];
  const isPerChannel = parameterShape.length === 1 && parameterShape[0] === channels && reductionAxes.length === t.rank - 1;
  if (!isPerChannel) return tf.reshape(tf.sum(t, reductionAxes), parameterShape);

  const rows = t.size / channels;
  return tf.reshape(tf.matMul(tf.ones([1, rows]), tf.reshape(t, [rows, channels])), parameterShape);
}
