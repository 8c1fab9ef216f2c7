/**
 * Replaces TF.js kernels for one backend while keeping the stock kernel reachable.
 *
 * The replacement kernels in this folder are built from ordinary TF.js ops (conv2d, matMul,
 * transpose), which run on whichever backend is active. TF.js does not record the ops that run
 * inside a kernel on the gradient tape, so they add no gradient nodes of their own.
 */
import * as tf from "@tensorflow/tfjs";

const stockKernels = new Map<string, tf.KernelConfig | null>();

/**
 * Registers `kernelFunc` as `kernelName` for `backendName`, replacing what is registered.
 * The first call for a kernel and backend saves the stock kernel, so `stockKernel` still returns
 * it after repeated replacements, and a replacement that delegates to it never calls itself.
 * The stock kernel's setup and dispose functions stay registered, because WASM kernels bind
 * their WebAssembly functions in setup, when the backend starts.
 */
export function replaceKernel(kernelName: string, backendName: string, kernelFunc: tf.KernelFunc): void {
  const key = `${backendName}/${kernelName}`;
  const current = tf.getKernel(kernelName, backendName) ?? null;
  if (!stockKernels.has(key)) stockKernels.set(key, current);
  const stock = stockKernels.get(key) ?? null;

  if (current != null) tf.unregisterKernel(kernelName, backendName);
  tf.registerKernel({ kernelName, backendName, kernelFunc, setupFunc: stock?.setupFunc, disposeFunc: stock?.disposeFunc });
}

/** Returns the kernel that was registered before the first `replaceKernel` call, or null. */
export function stockKernel(kernelName: string, backendName: string): tf.KernelConfig | null {
  const key = `${backendName}/${kernelName}`;
  if (stockKernels.has(key)) return stockKernels.get(key) ?? null;
  return tf.getKernel(kernelName, backendName) ?? null;
}

/**
 * Wraps a kernel input as a Tensor so that ops accept it. Call it inside `tf.tidy`: the wrapper
 * shares the input's data and the tidy scope releases it.
 */
export function asTensor<R extends tf.Rank>(info: tf.TensorInfo): tf.Tensor<R> {
  if (info instanceof tf.Tensor) return info as tf.Tensor<R>;
  return tf.engine().makeTensorFromTensorInfo(info) as tf.Tensor<R>;
}

/** Returns a kernel input by name, or raises an error naming the kernel and the input. */
export function requireInput(inputs: tf.NamedTensorInfoMap, name: string, kernelName: string): tf.TensorInfo {
  const input = inputs[name];
  if (input == null) throw new Error(`Internal error: kernel ${kernelName} was called without input "${name}".`);
  return input;
}
