/**
 * Wrap a stock wasm kernel with a fast path: our code handles the common training shapes and
 * returns null for anything else, which the stock kernel then runs unchanged. Keeps each fast
 * kernel small (no need to re-implement every dtype and broadcasting corner of the original).
 */
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from "@tensorflow/tfjs-core";

/** Arguments every kernel function receives. */
export interface KernelArgs {
  inputs: Record<string, TensorInfo | undefined>;
  backend: BackendWasm;
  attrs: NamedAttrMap;
}

/** A fast implementation for some inputs; null means "not handled here, run the stock kernel". */
export type FastPath = (args: KernelArgs) => TensorInfo | TensorInfo[] | null;

/** Marker so a fast path is never wrapped around an already wrapped kernel. */
const FAST_PATH = Symbol.for("edgegan.wasmFastPath");

/**
 * The stock config with `fast` tried first. The stock setupFunc is kept (the stock kernel function
 * needs it) and so is its disposeFunc.
 */
export function withFastPath(stock: KernelConfig, fast: FastPath): KernelConfig {
  const stockFunc = stock.kernelFunc;
  const kernelFunc = (args: KernelArgs) => fast(args) ?? stockFunc(args as never);
  const config: KernelConfig & { [FAST_PATH]?: true } = {
    kernelName: stock.kernelName,
    backendName: stock.backendName,
    kernelFunc: kernelFunc as unknown as KernelFunc,
  };
  if (stock.setupFunc !== undefined) config.setupFunc = stock.setupFunc;
  if (stock.disposeFunc !== undefined) config.disposeFunc = stock.disposeFunc;
  config[FAST_PATH] = true;
  return config;
}

/** Row-major element count. */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Product of the dimensions before the last two (a matrix product's batch). */
export function batchOf(shape: readonly number[]): number {
  return sizeOf(shape.slice(0, -2));
}
