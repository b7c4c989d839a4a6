/**
 * BatchMatMul for the wasm backend that keeps transposed products on the fast path.
 *
 * The stock wasm kernel uses XNNPACK's fully-connected GEMM only when neither operand is transposed
 * and both have batch 1; otherwise it falls back to a scalar triple loop. Backprop through every
 * dense layer asks for exactly those transposed products (dX = dY W^T, dW = X^T dY), so we transpose
 * the operand explicitly (one cheap C++ transpose) and hand a plain product to the stock kernel.
 * Batched (rank > 2 with batch > 1) products are passed through unchanged.
 */
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import {
  BatchMatMul,
  type BatchMatMulAttrs,
  type BatchMatMulInputs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from "@tensorflow/tfjs-core";
import { disposeInfo, transposeInfo, WASM } from "./wasm-interop.ts";

function batchOf(shape: readonly number[]): number {
  let n = 1;
  for (let i = 0; i < shape.length - 2; i++) n *= shape[i] as number;
  return n;
}

/** Swap the last two axes. */
function swapLast(backend: BackendWasm, x: TensorInfo): TensorInfo {
  const rank = x.shape.length;
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return transposeInfo(backend, x, perm);
}

/**
 * Build the replacement BatchMatMul config around the stock one.
 * @param stock the wasm backend's own BatchMatMul registration (does the untransposed product).
 */
export function makeBatchMatMulConfig(stock: KernelConfig): KernelConfig {
  const stockFunc = stock.kernelFunc;
  const kernelFunc = (args: {
    inputs: BatchMatMulInputs;
    backend: BackendWasm;
    attrs: BatchMatMulAttrs;
  }): TensorInfo => {
    const { inputs, backend, attrs } = args;
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = attrs;
    const fast =
      (transposeA || transposeB) &&
      a.dtype === "float32" &&
      b.dtype === "float32" &&
      batchOf(a.shape) === 1 &&
      batchOf(b.shape) === 1;
    if (!fast) return stockFunc(args as never) as TensorInfo;
    const temps: TensorInfo[] = [];
    let a2 = a;
    let b2 = b;
    if (transposeA) {
      a2 = swapLast(backend, a);
      temps.push(a2);
    }
    if (transposeB) {
      b2 = swapLast(backend, b);
      temps.push(b2);
    }
    const out = stockFunc({
      inputs: { a: a2, b: b2 },
      backend,
      attrs: { ...attrs, transposeA: false, transposeB: false },
    } as never) as TensorInfo;
    for (const t of temps) disposeInfo(backend, t);
    return out;
  };
  const config: KernelConfig = {
    kernelName: BatchMatMul,
    backendName: WASM,
    kernelFunc: kernelFunc as unknown as KernelFunc,
  };
  // The stock kernel cwraps its C function in setupFunc; keep that running for our wrapper.
  if (stock.setupFunc !== undefined) config.setupFunc = stock.setupFunc;
  return config;
}
