/**
 * BatchMatMul for the wasm backend that keeps transposed products on the fast path.
 *
 * The stock wasm kernel uses XNNPACK's fully-connected GEMM only when neither operand is transposed
 * and both have batch 1; otherwise it falls back to a scalar triple loop. Backprop through every
 * dense layer asks for exactly those transposed products (dX = dY W^T, dW = X^T dY), so we rewrite
 * them as plain products with explicit (C++) transposes. XNNPACK re-packs its right operand on every
 * call with a new tensor (weights change every step), so among the equivalent rewrites we pick the one
 * that transposes and packs the fewest elements, e.g. dX = dY W^T is computed as (W dY^T)^T, which
 * packs the small dY^T instead of a transposed copy of the large W.
 * Batched (batch > 1) products are passed through unchanged.
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
import { batchOf } from "./fast-path.ts";
import { disposeInfo, transposeInfo, WASM } from "./wasm-interop.ts";

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
  type Args = { inputs: BatchMatMulInputs; backend: BackendWasm; attrs: BatchMatMulAttrs };
  /** a @ b with no transposes (the stock XNNPACK path when batch dims are 1). */
  const plain = (args: Args, a: TensorInfo, b: TensorInfo): TensorInfo =>
    stockFunc({
      inputs: { a, b },
      backend: args.backend,
      attrs: { ...args.attrs, transposeA: false, transposeB: false },
    } as never) as TensorInfo;
  const kernelFunc = (args: Args): TensorInfo => {
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
    const ra = a.shape.length;
    const rb = b.shape.length;
    // Logical product C[M, N] = op(A)[M, K] @ op(B)[K, N].
    const m = a.shape[transposeA ? ra - 1 : ra - 2] as number;
    const k = a.shape[transposeA ? ra - 2 : ra - 1] as number;
    const n = b.shape[transposeB ? rb - 2 : rb - 1] as number;
    const temps: TensorInfo[] = [];
    const keep = (t: TensorInfo) => {
      temps.push(t);
      return t;
    };
    let out: TensorInfo;
    if (transposeA && transposeB) {
      // C = A^T B^T = (B A)^T: packs A (K*M) and transposes C (M*N), versus transposing both
      // operands (K*M + N*K) and packing B^T (N*K).
      if (m * n + k * m <= k * m + 2 * n * k) {
        out = swapLast(backend, keep(plain(args, b, a)));
      } else {
        out = plain(args, keep(swapLast(backend, a)), keep(swapLast(backend, b)));
      }
    } else if (transposeB) {
      // C = A B^T. Either transpose+pack B (2*N*K), or C = (B A^T)^T: transpose+pack A (2*M*K)
      // and transpose the result (M*N).
      if (2 * m * k + m * n < 2 * n * k) {
        out = swapLast(backend, keep(plain(args, b, keep(swapLast(backend, a)))));
      } else {
        out = plain(args, a, keep(swapLast(backend, b)));
      }
    } else {
      // C = A^T B: transpose A; B is packed as is (cheapest of the rewrites).
      out = plain(args, keep(swapLast(backend, a)), b);
    }
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
