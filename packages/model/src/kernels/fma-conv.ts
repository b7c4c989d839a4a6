/**
 * The DCGAN's large convolutions as im2col + one GEMM with our relaxed-SIMD FMA kernel
 * (fma-gemm.ts), as fast paths in front of the XNNPACK-based kernels:
 *   forward          out[P, Cout] = col(x)[P, K] W[K, Cout]
 *   filter gradient  dW^T[Cout, K] = dy^T[Cout, P] col(x)[P, K]   (col written as packed panels)
 *   input gradient   dx = col2im(dy[P, Cout] W^T[Cout, K])
 * with P = N * OH * OW output pixels and K = kh * kw * Cin taps. XNNPACK's wasm kernels in the
 * prebuilt tfjs-backend-wasm have no FMA; on the step's 64 <-> 128-channel layer these paths
 * measured faster including the im2col copies (docs/step-profile.md).
 *
 * Each path returns null (the XNNPACK kernel runs) when relaxed SIMD is missing (Node 20),
 * EDGEGAN_FMA_GEMM=0 is set, the heap is not a plain WebAssembly.Memory, or the shape is not one
 * this layout suits (dilation, NCHW, fewer than 8 channels, a GEMM width not a multiple of 8).
 */
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import {
  backend_util,
  type Conv2DAttrs,
  type Conv2DBackpropFilterAttrs,
  type Conv2DBackpropInputAttrs,
  type TensorInfo,
} from "@tensorflow/tfjs-core";
import {
  type ColumnBuffers,
  col2im,
  filterTaps,
  im2col,
  im2colPanels,
  outputPixels,
  tableBytes,
} from "./conv-columns.ts";
import type { FastPath, KernelArgs } from "./fast-path.ts";
import {
  GEMM_NR,
  gemmPacked,
  type HeapMemory,
  heapGemm,
  heapMemory,
  relaxedSimdSupported,
} from "./fma-gemm.ts";
import { transposeInfo } from "./wasm-interop.ts";

/** Fewer input or output channels than this: leave the conv to XNNPACK. */
const MIN_CHANNELS = 8;

let supported: boolean | undefined;

/** Whether the FMA paths may run in this process (relaxed SIMD, and not switched off). */
export function fmaConvEnabled(): boolean {
  if (globalThis.process?.env.EDGEGAN_FMA_GEMM === "0") return false;
  supported ??= relaxedSimdSupported();
  return supported;
}

function offsetOf(backend: BackendWasm, info: TensorInfo): number {
  return backend.getMemoryOffset(info.dataId);
}

type Info = backend_util.Conv2DInfo;
type ConvAttrs = Conv2DAttrs | Conv2DBackpropFilterAttrs | Conv2DBackpropInputAttrs;

/** What the three paths share: the two inputs, the conv's geometry and the GEMM sizes. */
interface ConvPlan {
  a: TensorInfo;
  b: TensorInfo;
  info: Info;
  memory: HeapMemory;
  backend: BackendWasm;
  /** Taps times input channels (kh * kw * Cin). */
  k: number;
  /** Output pixels (N * OH * OW). */
  p: number;
}

/**
 * The plan for inputs `names` if the FMA layout suits the conv, else null.
 * @param shapes the forward conv's x and filter shapes, from the inputs and attributes.
 */
function planConv<A extends ConvAttrs>(
  args: KernelArgs,
  names: [string, string],
  shapes: (a: TensorInfo, b: TensorInfo, attrs: A) => [readonly number[], readonly number[]],
): ConvPlan | null {
  const a = args.inputs[names[0]];
  const b = args.inputs[names[1]];
  if (a === undefined || b === undefined || !fmaConvEnabled()) return null;
  if (a.dtype !== "float32" || b.dtype !== "float32") return null;
  const memory = heapMemory(args.backend);
  if (memory === undefined) return null;
  const attrs = args.attrs as unknown as A;
  const format = backend_util.convertConv2DDataFormat(attrs.dataFormat);
  const dilations = "dilations" in attrs ? attrs.dilations : 1;
  if (format !== "channelsLast" || !backend_util.tupleValuesAreOne(dilations)) return null;
  const [xShape, filterShape] = shapes(a, b, attrs);
  const info = backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    format,
  );
  if (info.inChannels < MIN_CHANNELS || info.outChannels < MIN_CHANNELS) return null;
  const dy = names[0] === "dy" ? a : names[1] === "dy" ? b : undefined;
  if (dy !== undefined && (dy.shape[1] !== info.outHeight || dy.shape[2] !== info.outWidth))
    return null;
  const k = filterTaps(info) * info.inChannels;
  return { a, b, info, memory, backend: args.backend, k, p: outputPixels(info) };
}

/** Temporary heap buffers of one kernel call (byte offsets), freed together. */
function scratch(backend: BackendWasm, floats: number[]): { at: number[]; free: () => void } {
  const infos = floats.map((n) => backend.makeOutput([Math.max(n, 1)], "float32"));
  return {
    at: infos.map((t) => offsetOf(backend, t)),
    free: () => {
      for (const t of infos) backend.disposeData(t.dataId);
    },
  };
}

/** Scratch for an im2col/col2im's run table and zero run. */
function columnScratch(info: Info): number[] {
  return [tableBytes(info) >> 2, info.inChannels];
}

function columnBuffers(at: number[], first: number): ColumnBuffers {
  return { table: at[first] as number, zeros: at[first + 1] as number };
}

/** Conv2D: out [N, OH, OW, Cout] = col(x) W. */
export const conv2dFma: FastPath = (args) => {
  const plan = planConv<Conv2DAttrs>(args, ["x", "filter"], (x, f) => [x.shape, f.shape]);
  if (plan === null || plan.info.outChannels % GEMM_NR !== 0) return null;
  const { a: x, b: filter, info, memory, backend, k, p } = plan;
  const n = info.outChannels;
  const out = backend.makeOutput([info.batchSize, info.outHeight, info.outWidth, n], "float32");
  const tmp = scratch(backend, [p * k, k * n, ...columnScratch(info)]);
  const [col, pack] = tmp.at as [number, number];
  im2col(memory, offsetOf(backend, x), info, col, k, columnBuffers(tmp.at, 2));
  heapGemm(
    memory,
    { offset: col, rowBytes: k * 4, colBytes: 4 },
    { offset: offsetOf(backend, filter), rowBytes: n * 4, colBytes: 4 },
    { offset: offsetOf(backend, out), rowBytes: n * 4 },
    { m: p, k, n },
    pack,
  );
  tmp.free();
  return out;
};

/** Conv2DBackpropFilter: dW [kh, kw, Cin, Cout] = (dy^T col(x))^T. */
export const conv2dBackpropFilterFma: FastPath = (args) => {
  const plan = planConv<Conv2DBackpropFilterAttrs>(args, ["x", "dy"], (x, _, attrs) => [
    x.shape,
    attrs.filterShape,
  ]);
  if (plan === null || plan.info.inChannels % GEMM_NR !== 0) return null;
  const { a: x, b: dy, info, memory, backend, k, p } = plan;
  const { filterHeight: kh, filterWidth: kw, inChannels: cin, outChannels: cout } = info;
  const dyT = transposeInfo(backend, dy, [3, 0, 1, 2]); // [Cout, N, OH, OW] = dy^T [Cout, P]
  const dwT = backend.makeOutput([cout, kh, kw, cin], "float32"); // dW^T [Cout, K]
  const tmp = scratch(backend, [p * k, ...columnScratch(info)]);
  const [pack] = tmp.at as [number];
  im2colPanels(memory, offsetOf(backend, x), info, pack, GEMM_NR, columnBuffers(tmp.at, 1));
  gemmPacked(
    memory,
    { offset: offsetOf(backend, dyT), rowBytes: p * 4, colBytes: 4 },
    pack,
    { offset: offsetOf(backend, dwT), rowBytes: k * 4 },
    { m: cout, k: p, n: k },
  );
  tmp.free();
  const dw = transposeInfo(backend, dwT, [1, 2, 3, 0]);
  backend.disposeData(dyT.dataId);
  backend.disposeData(dwT.dataId);
  return dw;
};

/** Conv2DBackpropInput (and conv2dTranspose's forward pass): dx = col2im(dy W^T). */
export const conv2dBackpropInputFma: FastPath = (args) => {
  const plan = planConv<Conv2DBackpropInputAttrs>(args, ["dy", "filter"], (_, f, attrs) => [
    attrs.inputShape,
    f.shape,
  ]);
  if (plan === null || plan.k % GEMM_NR !== 0) return null;
  const { a: dy, b: filter, info, memory, backend, k, p } = plan;
  const cout = info.outChannels;
  const dx = backend.makeOutput(
    [info.batchSize, info.inHeight, info.inWidth, info.inChannels],
    "float32",
  );
  const tmp = scratch(backend, [p * k, cout * k, ...columnScratch(info)]);
  const [col, pack] = tmp.at as [number, number];
  heapGemm(
    memory,
    { offset: offsetOf(backend, dy), rowBytes: cout * 4, colBytes: 4 },
    { offset: offsetOf(backend, filter), rowBytes: 4, colBytes: cout * 4 },
    { offset: col, rowBytes: k * 4 },
    { m: p, k: cout, n: k },
    pack,
  );
  col2im(memory, col, k, info, offsetOf(backend, dx), columnBuffers(tmp.at, 2));
  tmp.free();
  return dx;
};
