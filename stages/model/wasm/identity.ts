/**
 * `Identity` for WASM that shares the input's data instead of copying it.
 *
 * tfjs-core 4.22 runs Identity on every tensor that an op saves for its gradient. The stock WASM
 * Identity copies the data, so each training step of the default U-Net made 554 extra copies.
 * The CPU backend shares the data with a reference count instead, and this kernel does the same.
 * Sharing relies on what the CPU backend relies on: TF.js 4.22 kernels do not write into their
 * inputs, and Variable.assign replaces a variable's data instead of writing into it.
 */
import type * as tf from "@tensorflow/tfjs";
import { replaceKernel, requireInput, stockKernel } from "./kernel-registry.ts";

const KERNEL = "Identity";

/** Registers the sharing Identity for `backendName`; string tensors still take the stock kernel. */
export function registerSharedIdentity(backendName: string): void {
  const stock = stockKernel(KERNEL, backendName);
  if (stock == null) throw new Error(`${KERNEL} has no stock kernel on backend "${backendName}" to fall back to.`);

  replaceKernel(KERNEL, backendName, (args) => {
    const x = requireInput(args.inputs, "x", KERNEL);
    if (x.dtype === "string") return stock.kernelFunc(args) as tf.TensorInfo;

    (args.backend as tf.KernelBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  });
}
