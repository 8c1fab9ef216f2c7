/**
 * Gradient of `FusedBatchNorm` (tf.batchNorm) that broadcasts instead of tiling.
 *
 * The stock gradient of tfjs-core 4.22 tiles 1/sqrt(variance + epsilon) to the full activation
 * shape before multiplying, and `Tile` is slow on WASM. Broadcasting gives the same values.
 * Unlike the stock gradient it also works for inputs of rank other than 4.
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
 * Returns the gradients of y = (x - mean) / sqrt(variance + epsilon) * scale + offset with
 * respect to each input. mean, variance, scale and offset are rank 1 [C] (broadcast over the
 * last axis of x) or have the shape of x.
 */
function batchNormGrad(dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap): Record<string, () => tf.Tensor> {
  const gradient = dy as tf.Tensor;
  const [x, mean, variance, scale] = saved;
  const epsilon = (attrs as unknown as { varianceEpsilon: number }).varianceEpsilon;
  const reductionAxes = tf.broadcast_util.getReductionAxes(mean.shape, x.shape);
  const reduceToParameterShape = (t: tf.Tensor): tf.Tensor =>
    tf.reshape(reductionAxes.length > 0 ? tf.sum(t, reductionAxes) : t, mean.shape);

  const scaleOrOne = scale ?? tf.scalar(1);
  const xMinusMean = tf.sub(x, mean);
  const gradientTimesScale = tf.mul(gradient, scaleOrOne);
  const inverseStd = tf.rsqrt(tf.add(variance, tf.scalar(epsilon)));
  const minusHalfInverseStdCubed = tf.mul(tf.mul(tf.mul(inverseStd, inverseStd), inverseStd), tf.scalar(-0.5));

  return {
    x: () => tf.reshape(tf.mul(gradientTimesScale, inverseStd), x.shape),
    mean: () => reduceToParameterShape(tf.neg(tf.mul(gradientTimesScale, inverseStd))),
    variance: () => reduceToParameterShape(tf.mul(tf.mul(xMinusMean, minusHalfInverseStdCubed), gradientTimesScale)),
    scale: () => reduceToParameterShape(tf.mul(gradient, tf.mul(xMinusMean, inverseStd))),
    offset: () => reduceToParameterShape(gradient),
  };
}
