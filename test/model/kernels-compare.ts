/**
 * Helpers for comparing TF.js results across backends in the kernel and backend tests.
 */
import * as tf from "@tensorflow/tfjs";

/** Logger that keeps the lines for assertions. */
export function collectingLogger(): { lines: string[]; info(m: string): void; warn(m: string): void } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(`info: ${m}`), warn: (m) => lines.push(`warn: ${m}`) };
}

/** Makes `backendName` active and returns fn's tensors as plain arrays, freeing the tensors. */
export async function computeOn(backendName: string, fn: () => tf.Tensor[]): Promise<Float32Array[]> {
  if (!(await tf.setBackend(backendName))) throw new Error(`tf.setBackend("${backendName}") failed`);
  return tf.tidy(() => fn().map((t) => Float32Array.from(t.dataSync())));
}

/**
 * Returns max |actual - expected| / max |expected|: the error relative to the scale of the
 * whole tensor, so that entries near zero do not inflate it. A NaN anywhere gives NaN.
 * Raises on a length mismatch.
 */
export function relativeError(actual: Float32Array, expected: Float32Array): number {
  if (actual.length !== expected.length) {
    throw new Error(`length mismatch: actual ${actual.length}, expected ${expected.length}`);
  }
  let maxDiff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return maxDiff / Math.max(scale, 1e-30);
}
