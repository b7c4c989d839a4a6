/**
 * Makes the TF.js wasm backend able to train our GANs, and fast.
 *
 * Why this exists: stock @tensorflow/tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter, so no conv or
 * transposed-conv weight gradient can be computed on it; its Conv2DBackpropInput (also the forward
 * pass of conv2dTranspose) is a slow C++ loop; and its BatchMatMul leaves XNNPACK for a scalar loop
 * whenever an operand is transposed (every dense-layer gradient). The cpu backend needs ~200 s per
 * DCGAN step. The kernels in ./kernels fix all three by composing the backend's own XNNPACK paths.
 *
 * A fourth, non-kernel cost: tf.layers records linear convs and dense layers as fused ops whose
 * gradient computes every input's gradient eagerly, wanted or not (~17% of a DCGAN step); see
 * ./kernels/pruned-fused-gradients.ts, enabled by {@link initWasmTrainingBackend}.
 *
 * Kernels must be registered before `setBackend('wasm')` (tfjs runs each kernel's setupFunc when the
 * backend becomes active); {@link initWasmTrainingBackend} does it in the right order.
 */
import "@tensorflow/tfjs-backend-wasm";
// tfjs-core's Node entry registers no gradient functions; tfjs-layers' Node bundle registers all of
// them in tfjs's global registry. Training without it fails with "gradient function not found".
import "@tensorflow/tfjs-layers";
import {
  BatchMatMul,
  Concat,
  Conv2D,
  Greater,
  getKernel,
  Identity,
  type KernelConfig,
  LeakyRelu,
  Mean,
  ready,
  registerGradient,
  registerKernel,
  Select,
  SplitV,
  Sum,
  setBackend,
  unregisterKernel,
} from "@tensorflow/tfjs-core";
import { enableClosedFormBatchNorm } from "./batch-norm-training.ts";
import { adamUpdateWasmConfig } from "./kernels/adam.ts";
import { makeBatchMatMulConfig } from "./kernels/batch-mat-mul.ts";
import { batchNormGradWasmConfig } from "./kernels/batch-norm-grad.ts";
import { concatFast } from "./kernels/concat.ts";
import { conv2DBackpropFilterConfig } from "./kernels/conv2d-backprop-filter.ts";
import { conv2DBackpropInputConfig } from "./kernels/conv2d-backprop-input.ts";
import { greaterFast, selectFast } from "./kernels/elementwise.ts";
import { type FastPath, withFastPath } from "./kernels/fast-path.ts";
import { conv2dBackpropFilterFma, conv2dBackpropInputFma, conv2dFma } from "./kernels/fma-conv.ts";
import { matMulFma } from "./kernels/fma-mat-mul.ts";
import { identityFast } from "./kernels/identity.ts";
import {
  leakyReluFast,
  leakyReluGradConfig,
  leakyReluGradWasmConfig,
} from "./kernels/leaky-relu.ts";
import { enablePrunedFusedGradients } from "./kernels/pruned-fused-gradients.ts";
import { meanFast, sumFast } from "./kernels/reduce-leading.ts";
import { splitVFast } from "./kernels/split-v.ts";
import { tileConfig } from "./kernels/tile.ts";
import { WASM } from "./kernels/wasm-interop.ts";

export { enablePrunedFusedGradients } from "./kernels/pruned-fused-gradients.ts";

/** Marker so a second call (or a second copy of this module) does not wrap BatchMatMul twice. */
const REGISTERED = Symbol.for("edgegan.wasmTrainingKernels");

/** Stock kernels that get a fast path in front (the stock kernel still handles other inputs). */
const FAST_PATHS: [string, FastPath][] = [
  [Conv2D, conv2dFma],
  [Concat, concatFast],
  [SplitV, splitVFast],
  [Sum, sumFast],
  [Mean, meanFast],
  [LeakyRelu, leakyReluFast],
  [Greater, greaterFast],
  [Select, selectFast],
  [Identity, identityFast],
];

function replaceKernel(config: KernelConfig): void {
  if (getKernel(config.kernelName, config.backendName) !== undefined) {
    unregisterKernel(config.kernelName, config.backendName);
  }
  registerKernel(config);
}

/**
 * Register the wasm training kernels: Conv2DBackpropFilter (missing in stock), a faster
 * Conv2DBackpropInput (XNNPACK per-phase convs), a BatchMatMul that runs large dense products
 * on our FMA GEMM (fma-mat-mul.ts) and keeps the other transposed ones on XNNPACK, a block-copy
 * Tile, and fast paths for Concat, SplitV, Sum/Mean over leading axes,
 * LeakyRelu, Greater, Select and a zero-copy Identity, LeakyRelu's gradient as one fused
 * kernel (every backend but wasm keeps TF.js's formula), Adam's update of a variable as one
 * kernel (used by fused-adam.ts), and BatchNorm's closed-form gradient as one (used by
 * batch-norm-training.ts). Idempotent. Call before
 * `setBackend('wasm')`, or use {@link initWasmTrainingBackend}.
 */
export function registerWasmTrainingKernels(): void {
  const stockMatMul = getKernel(BatchMatMul, WASM) as
    | (KernelConfig & { [REGISTERED]?: true })
    | undefined;
  if (stockMatMul?.[REGISTERED]) return;
  if (stockMatMul === undefined) {
    throw new Error(
      "wasm BatchMatMul kernel not found: import @tensorflow/tfjs-backend-wasm first",
    );
  }
  replaceKernel(withFastPath(conv2DBackpropFilterConfig, conv2dBackpropFilterFma));
  replaceKernel(withFastPath(conv2DBackpropInputConfig, conv2dBackpropInputFma));
  replaceKernel(tileConfig);
  replaceKernel(leakyReluGradWasmConfig);
  replaceKernel(adamUpdateWasmConfig);
  replaceKernel(batchNormGradWasmConfig);
  registerGradient(leakyReluGradConfig);
  for (const [name, fast] of FAST_PATHS) {
    const stock = getKernel(name, WASM);
    if (stock === undefined) throw new Error(`wasm kernel ${name} not found`);
    replaceKernel(withFastPath(stock, fast));
  }
  const matMul = withFastPath(makeBatchMatMulConfig(stockMatMul), matMulFma) as KernelConfig & {
    [REGISTERED]?: true;
  };
  matMul[REGISTERED] = true;
  replaceKernel(matMul);
}

/** Options of {@link initWasmTrainingBackend}. */
export interface WasmTrainingOptions {
  /**
   * Record linear fused convs and matMuls as their plain op + bias add under gradient recording,
   * so unneeded conv and dense gradients are skipped (process-wide, all backends; same values).
   * Default true.
   */
  pruneFusedGradients?: boolean;
  /**
   * Differentiate BatchNorm layers in training by the closed form of batch-norm-training.ts
   * (process-wide, all backends; the same forward values). Default true.
   */
  closedFormBatchNorm?: boolean;
}

/**
 * Register the training kernels, skip unneeded conv and dense gradients, differentiate BatchNorm
 * in closed form, select the wasm backend and wait until it is ready. In Node the backend finds
 * its .wasm binaries next to its own module file, so no path setup is needed (setWasmPaths is
 * only required in bundles that move those files).
 * @throws Error when the wasm backend cannot be initialised.
 * @example
 * await initWasmTrainingBackend();
 * trainStep(gan, batch); // a DCGAN step (batch 64) in ~0.6-0.8 s on 1 CPU core
 */
export async function initWasmTrainingBackend(options: WasmTrainingOptions = {}): Promise<void> {
  registerWasmTrainingKernels();
  if (options.pruneFusedGradients ?? true) enablePrunedFusedGradients();
  if (options.closedFormBatchNorm ?? true) enableClosedFormBatchNorm();
  const ok = await setBackend(WASM);
  if (!ok) throw new Error("could not initialise the TF.js wasm backend");
  await ready();
}
