/**
 * Thin, typed access to the pieces of the TF.js wasm backend that our training kernels reuse.
 *
 * Why: the wasm backend's fast paths (XNNPACK convolution, XNNPACK fully-connected matmul, its C++
 * transpose) are only reachable through its compiled module (`backend.wasm.cwrap`) and its other
 * registered kernels. Composing those, instead of looping in JS, is what makes wasm training fast.
 * Everything here works on `TensorInfo`s inside a kernel function (no tf.* ops, no tape).
 */
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { getKernel, type NamedAttrMap, type TensorInfo } from "@tensorflow/tfjs-core";
import { cachedPer, type PerOwnerCache } from "./per-owner-cache.ts";

/** The wasm backend's name in the kernel registry. */
export const WASM = "wasm";

type WasmFn = (...args: number[]) => void;

interface CwrapModule {
  cwrap(name: string, returnType: null, argTypes: string[]): WasmFn;
}

/** cwrapped C functions, per backend instance (a backend re-created by tfjs gets fresh ones). */
const fnCache: PerOwnerCache<BackendWasm, WasmFn> = new WeakMap();

/**
 * A C entry point of the wasm module taking `argCount` numeric arguments (cwrapped once per backend).
 * @param name exported C function name, e.g. "Conv2D".
 */
function wasmFunction(backend: BackendWasm, name: string, argCount: number): WasmFn {
  return cachedPer(fnCache, backend, name, () => {
    const module = backend.wasm as unknown as CwrapModule;
    return module.cwrap(name, null, new Array<string>(argCount).fill("number"));
  });
}

/** The wasm heap id of a tensor (what the C functions take). */
function heapId(backend: BackendWasm, info: TensorInfo): number {
  const data = backend.dataIdMap.get(info.dataId);
  if (data === undefined) throw new Error("wasm kernel: tensor data is not on the wasm backend");
  return data.id;
}

/**
 * Run another registered wasm kernel (e.g. Transpose, Slice) on `TensorInfo`s.
 * The caller owns the result and must free it with {@link disposeInfo} if it is an intermediate.
 */
export function runKernel(
  backend: BackendWasm,
  name: string,
  inputs: Record<string, TensorInfo>,
  attrs: NamedAttrMap,
): TensorInfo {
  const config = getKernel(name, WASM);
  if (config === undefined) throw new Error(`wasm kernel ${name} is not registered`);
  const out = config.kernelFunc({ inputs, backend, attrs });
  if (Array.isArray(out)) throw new Error(`wasm kernel ${name} returned several outputs`);
  return out;
}

/** Free an intermediate made inside a kernel. */
export function disposeInfo(backend: BackendWasm, info: TensorInfo): void {
  backend.disposeData(info.dataId);
}

/** `x` with axes permuted (the wasm backend's C++ transpose). */
export function transposeInfo(backend: BackendWasm, x: TensorInfo, perm: number[]): TensorInfo {
  return runKernel(backend, "Transpose", { x }, { perm });
}

/** Explicit-padding parameters of {@link xnnConv2d}. */
export interface XnnConvParams {
  /** Filter height and width (the filter tensor is [fh, fw, inChannels, outChannels]). */
  fh: number;
  fw: number;
  padTop: number;
  padBottom: number;
  padLeft: number;
  padRight: number;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
}

/**
 * NHWC convolution through the wasm backend's XNNPACK Conv2D with explicit, non-negative padding.
 * @param x [N, H, W, Cin]
 * @param filter [fh, fw, Cin, Cout]
 * @returns a new [N, OH, OW, Cout] tensor info.
 */
export function xnnConv2d(
  backend: BackendWasm,
  x: TensorInfo,
  filter: TensorInfo,
  p: XnnConvParams,
): TensorInfo {
  const [n, h, w, cin] = x.shape as [number, number, number, number];
  const cout = filter.shape[3] as number;
  if (filter.shape[2] !== cin) {
    throw new Error(`xnnConv2d: filter in-channels ${filter.shape[2]} != input channels ${cin}`);
  }
  if (Math.min(p.padTop, p.padBottom, p.padLeft, p.padRight) < 0) {
    throw new Error("xnnConv2d: padding must be non-negative");
  }
  const effH = (p.fh - 1) * p.dilationH + 1;
  const effW = (p.fw - 1) * p.dilationW + 1;
  const oh = Math.floor((h + p.padTop + p.padBottom - effH) / p.strideH) + 1;
  const ow = Math.floor((w + p.padLeft + p.padRight - effW) / p.strideW) + 1;
  if (oh <= 0 || ow <= 0) throw new Error("xnnConv2d: empty output");
  const out = backend.makeOutput([n, oh, ow, cout], "float32");
  const conv = wasmFunction(backend, "Conv2D", 19);
  conv(
    heapId(backend, x),
    n,
    h,
    w,
    heapId(backend, filter),
    p.fh,
    p.fw,
    p.padTop,
    p.padRight,
    p.padBottom,
    p.padLeft,
    0, // isSamePad: padding is explicit
    p.dilationH,
    p.dilationW,
    p.strideH,
    p.strideW,
    cin,
    cout,
    heapId(backend, out),
  );
  return out;
}
