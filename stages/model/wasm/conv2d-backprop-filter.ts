/**
 * `Conv2DBackpropFilter` (the weight gradient of conv2d) computed as one forward conv2d.
 *
 * tfjs-backend-wasm 4.22 registers no `Conv2DBackpropFilter`, so a conv net cannot train there as
 * shipped. Among the ways tried (im2col + matMul, JS loops), one forward convolution that runs
 * in XNNPACK was the fastest on WASM.
 *
 * With x [B, H, W, Cin] padded to xp [B, Hp, Wp, Cin] and dy [B, OH, OW, Cout]:
 *   dW[kh, kw, ci, co] = sum over b, oy, ox of xp[b, oy*sh + kh, ox*sw + kw, ci] * dy[b, oy, ox, co].
 * That is a "valid" conv2d of xp transposed to [Cin, Hp, Wp, B] (Cin as the batch, B as the
 * channels) with dy transposed to the filter [OH, OW, B, Cout], dilated by the forward strides.
 * Its output [Cin, >= fh, >= fw, Cout], cropped to fh x fw and transposed, is dW.
 */
import * as tf from "@tensorflow/tfjs";
import { type Conv2DGradientAttrs, forwardConv2DInfo } from "./conv2d-attrs.ts";
import { asTensor, replaceKernel, requireInput } from "./kernel-registry.ts";

const KERNEL = "Conv2DBackpropFilter";

interface BackpropFilterAttrs extends Conv2DGradientAttrs {
  filterShape: [number, number, number, number];
}

/** Registers the weight-gradient kernel for `backendName` (NHWC only, dilation 1). */
export function registerConv2DBackpropFilter(backendName: string): void {
  replaceKernel(KERNEL, backendName, conv2dBackpropFilterViaConv);
}

function conv2dBackpropFilterViaConv({ inputs, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const x = requireInput(inputs, "x", KERNEL);
  const dy = requireInput(inputs, "dy", KERNEL);
  const filterAttrs = attrs as unknown as BackpropFilterAttrs;
  const info = forwardConv2DInfo(x.shape, filterAttrs.filterShape, filterAttrs);
  if (info == null) {
    throw new Error(`${KERNEL}: dataFormat ${filterAttrs.dataFormat} is not supported by this kernel; use NHWC.`);
  }

  return tf.tidy(() => {
    const xPadded = padForAllWindows(asTensor<tf.Rank.R4>(x), info);
    const images = tf.transpose(xPadded, [3, 1, 2, 0]);
    const filter = tf.transpose(asTensor<tf.Rank.R4>(dy), [1, 2, 0, 3]);
    const dilations: [number, number] = [info.strideHeight, info.strideWidth];

    let dW = tf.conv2d(images, filter, 1, "valid", "NHWC", dilations);
    if (dW.shape[1] !== info.filterHeight || dW.shape[2] !== info.filterWidth) {
      dW = tf.slice(dW, [0, 0, 0, 0], [-1, info.filterHeight, info.filterWidth, -1]);
    }
    return tf.transpose(dW, [1, 2, 0, 3]);
  });
}

/**
 * Pads x by the forward padding, plus zeros at the bottom and right where the output size
 * (rounded up by `dimRoundingMode: "ceil"`) reads past the padded input.
 */
function padForAllWindows(x: tf.Tensor4D, info: tf.backend_util.Conv2DInfo): tf.Tensor4D {
  const { top, bottom, left, right } = info.padInfo;
  const neededHeight = (info.outHeight - 1) * info.strideHeight + info.filterHeight;
  const neededWidth = (info.outWidth - 1) * info.strideWidth + info.filterWidth;
  const extraBottom = Math.max(0, neededHeight - (info.inHeight + top + bottom));
  const extraRight = Math.max(0, neededWidth - (info.inWidth + left + right));

  if (top + bottom + extraBottom + left + right + extraRight === 0) return x;
  return tf.pad(x, [[0, 0], [top, bottom + extraBottom], [left, right + extraRight], [0, 0]]);
}
