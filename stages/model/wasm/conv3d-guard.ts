/**
 * Blocks the 3D convolution gradients on WASM, which return wrong values in TF.js 4.22.
 *
 * In tfjs-backend-wasm 4.22, `Conv3DBackpropInputV2` fails the adjoint test
 * <conv3d(x, w), dy> = <x, dx> and returns different values for the same inputs, and
 * `Conv3DBackpropFilterV2` is wrong for stride 2. Training a 3D model on WASM would therefore run
 * without an error and learn from wrong gradients. These replacements raise an error instead.
 * `Conv3DBackpropInputV2` is also the forward pass of conv3dTranspose, which is blocked too.
 * The forward Conv3D stays available.
 */
import { replaceKernel } from "./kernel-registry.ts";

export const CONV3D_GRADIENT_KERNELS = ["Conv3DBackpropInputV2", "Conv3DBackpropFilterV2"] as const;

/** Registers kernels for `backendName` that raise an error naming the 3D kernel. */
export function registerConv3DGradientGuards(backendName: string): void {
  for (const kernelName of CONV3D_GRADIENT_KERNELS) {
    replaceKernel(kernelName, backendName, () => {
      throw new Error(
        `${kernelName} is disabled on the "${backendName}" backend: its TF.js 4.22 kernel returns ` +
          `wrong 3D convolution gradients (and wrong conv3dTranspose outputs). ` +
          `Train 3D models with backend "tensorflow" (tfjs-node) or "cpu", or use the 2D U-Net.`,
      );
    });
  }
}
