/**
 * Attributes that tfjs-core 4.22 passes to the conv2d gradient kernels, and the convolution
 * geometry derived from them.
 */
import * as tf from "@tensorflow/tfjs";

export interface Conv2DGradientAttrs {
  strides: number | [number, number];
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  dataFormat: "NHWC" | "NCHW";
  dimRoundingMode?: "floor" | "round" | "ceil";
}

/**
 * Returns the geometry of the forward conv2d (dilation 1) that maps `inputShape` to the
 * gradient kernel's dy, or null for NCHW, which these kernels do not handle.
 */
export function forwardConv2DInfo(
  inputShape: number[],
  filterShape: number[],
  attrs: Conv2DGradientAttrs,
): tf.backend_util.Conv2DInfo | null {
  const dataFormat = tf.backend_util.convertConv2DDataFormat(attrs.dataFormat ?? "NHWC");
  if (dataFormat !== "channelsLast") return null;
  return tf.backend_util.computeConv2DInfo(
    inputShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    dataFormat,
  );
}
