/**
 * Registers the kernels and gradients that make training on TF.js 4.22's WASM backend correct
 * and fast enough for the U-Net. Each kernel's file gives the math and the reason.
 */
import { registerBatchNormGrad } from "./batch-norm-grad.ts";
import { registerConv2DBackpropFilter } from "./conv2d-backprop-filter.ts";
import { registerConv2DBackpropInput } from "./conv2d-backprop-input.ts";
import { registerConv3DGradientGuards } from "./conv3d-guard.ts";
import { registerSharedIdentity } from "./identity.ts";
import { registerLeadingAxesReductions } from "./leading-axes-reductions.ts";

const registeredBackends = new Set<string>();

/**
 * Registers the training kernels for the WASM backend. Import `@tensorflow/tfjs-backend-wasm`
 * first, because several replacements keep the stock WASM kernels as their fallback.
 * Later calls do nothing.
 */
export function registerWasmTrainingKernels(): void {
  if (registeredBackends.has("wasm")) return;
  registerConv2DBackpropFilter("wasm");
  registerConv2DBackpropInput("wasm");
  registerConv3DGradientGuards("wasm");
  registerSharedIdentity("wasm");
  registerLeadingAxesReductions("wasm");
  registerBatchNormGrad();
  registeredBackends.add("wasm");
}
