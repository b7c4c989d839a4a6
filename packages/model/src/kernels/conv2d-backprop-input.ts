/**
 * A faster Conv2DBackpropInput for the wasm backend. This op is both the input gradient of every conv
 * and the forward pass of every transposed conv (the generator's upsampling), so it runs several
 * times per GAN step; the stock wasm kernel is a plain C++ loop nest, far slower than XNNPACK.
 *
 * Formulation (sub-pixel / phase decomposition): with stride s, kernel k and top padding p,
 *   dx[i] = sum_m dy[q - m] * W[m*s + r]   where i + p = q*s + r, 0 <= r < s, 0 <= m < ceil((k-r)/s).
 * So each output phase (rh, rw) is a stride-1 correlation of dy with a small flipped sub-filter:
 * s*s XNNPACK convolutions with exactly the multiply-adds needed (no zeros from a dilated dy, no
 * rows computed and cropped), whose outputs are interleaved into dx with contiguous channel copies.
 * With few input channels, one combined conv with s*s*Cin output channels + depth-to-space + crop
 * is used instead (it computes a few padding rows that are cropped, but keeps XNNPACK busy).
 */
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import {
  backend_util,
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
  type Conv2DBackpropInputInputs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from "@tensorflow/tfjs-core";
import { disposeInfo, runKernel, transposeInfo, WASM, xnnConv2d } from "./wasm-interop.ts";

/** Below this many input channels (of the forward conv) all phases run as one conv. */
export const PER_PHASE_MIN_CHANNELS = 8;

/** Where one output phase of one spatial axis comes from (see the file comment). */
export interface PhaseAxis {
  /** First dx index of this phase along the axis. */
  first: number;
  /** Number of dx indices of this phase (every s-th from `first`). */
  count: number;
  /** Sub-filter taps along the axis: ceil((k - r) / s). */
  taps: number;
  /** Explicit conv padding before and after dy along the axis (non-negative). */
  padBefore: number;
  padAfter: number;
  /** Conv output index of the phase's first dx index (rows computed before it are skipped). */
  offset: number;
}

/**
 * Plan phase r of one axis: dx length `size`, dy length `outSize`, kernel `k`, stride `s`, pad `p`.
 * Exported for tests.
 */
export function planPhase(
  r: number,
  size: number,
  outSize: number,
  k: number,
  s: number,
  p: number,
): PhaseAxis {
  const first = (((r - p) % s) + s) % s;
  const count = first < size ? Math.ceil((size - first) / s) : 0;
  const taps = r < k ? Math.ceil((k - r) / s) : 0;
  const q0 = (first + p - r) / s; // dy index of the phase's first output (exact integer)
  const wantBefore = taps - 1 - q0; // may be negative: then compute and skip leading rows
  const padBefore = Math.max(wantBefore, 0);
  const offset = padBefore - wantBefore;
  const padAfter = Math.max(0, offset + count + taps - 1 - outSize - padBefore);
  return { first, count, taps, padBefore, padAfter, offset };
}

/**
 * Sub-filter of phase (rh, rw) as [th, tw, Cout, Cin] (a conv filter from Cout to Cin channels):
 * F[j, l, co, ci] = W[(th-1-j)*sh + rh, (tw-1-l)*sw + rw, ci, co].
 */
export function phaseFilter(
  w: ArrayLike<number>,
  shape: readonly [number, number, number, number],
  strides: readonly [number, number],
  phase: readonly [number, number],
  taps: readonly [number, number],
  out: Float32Array,
): void {
  const [, kw, cin, cout] = shape;
  const [sh, sw] = strides;
  const [rh, rw] = phase;
  const [th, tw] = taps;
  for (let j = 0; j < th; j++) {
    const kh = (th - 1 - j) * sh + rh;
    for (let l = 0; l < tw; l++) {
      const kx = (tw - 1 - l) * sw + rw;
      const src = (kh * kw + kx) * cin * cout;
      const dst = (j * tw + l) * cout * cin;
      for (let ci = 0; ci < cin; ci++) {
        const sBase = src + ci * cout;
        for (let co = 0; co < cout; co++) out[dst + co * cin + ci] = w[sBase + co] as number;
      }
    }
  }
}

/**
 * Rearrange a [kh, kw, Cin, Cout] conv filter into the sub-pixel filter [Mh, Mw, Cout, sh*sw*Cin]:
 * F[j, l, co, (rh*sw + rw)*Cin + ci] = W[(Mh-1-j)*sh + rh, (Mw-1-l)*sw + rw, ci, co] (0 outside W).
 */
function subPixelFilter(
  w: ArrayLike<number>,
  shape: readonly [number, number, number, number],
  sh: number,
  sw: number,
  out: Float32Array,
): void {
  const [kh, kw, cin, cout] = shape;
  const mh = Math.ceil(kh / sh);
  const mw = Math.ceil(kw / sw);
  const phases = sh * sw * cin;
  out.fill(0);
  for (let j = 0; j < mh; j++) {
    for (let rh = 0; rh < sh; rh++) {
      const th = (mh - 1 - j) * sh + rh;
      if (th >= kh) continue;
      for (let l = 0; l < mw; l++) {
        for (let rw = 0; rw < sw; rw++) {
          const tw = (mw - 1 - l) * sw + rw;
          if (tw >= kw) continue;
          const src = (th * kw + tw) * cin * cout;
          const dstBase = (j * mw + l) * cout * phases + (rh * sw + rw) * cin;
          for (let ci = 0; ci < cin; ci++) {
            const s = src + ci * cout;
            const d = dstBase + ci;
            for (let co = 0; co < cout; co++) out[d + co * phases] = w[s + co] as number;
          }
        }
      }
    }
  }
}

/**
 * Gradient of an NHWC conv2d with respect to its input (= conv2dTranspose forward).
 * @param args.inputs.dy [N, OH, OW, Cout], args.inputs.filter [kh, kw, Cin, Cout]
 * @param args.attrs.inputShape [N, H, W, Cin]; strides; pad ('same' | 'valid' | number | explicit)
 * @returns dx [N, H, W, Cin]
 */
export function conv2DBackpropInput(args: {
  inputs: Conv2DBackpropInputInputs;
  backend: BackendWasm;
  attrs: Conv2DBackpropInputAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs;
  if (dy === undefined || filter === undefined) {
    throw new Error("wasm Conv2DBackpropInput needs inputs dy and filter");
  }
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs;
  const format = backend_util.convertConv2DDataFormat(dataFormat);
  if (format !== "channelsLast") {
    throw new Error(
      `wasm Conv2DBackpropInput supports dataFormat 'NHWC' only, got '${String(dataFormat)}'`,
    );
  }
  const fshape = filter.shape as [number, number, number, number];
  const info = backend_util.computeConv2DInfo(
    inputShape,
    fshape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    format,
  );
  const { batchSize, inChannels, outChannels, outHeight, outWidth } = info;
  if (dy.shape[1] !== outHeight || dy.shape[2] !== outWidth || dy.shape[3] !== outChannels) {
    throw new Error(
      `wasm Conv2DBackpropInput: dy shape [${dy.shape}] does not match the conv output ` +
        `[${batchSize},${outHeight},${outWidth},${outChannels}]`,
    );
  }
  // Per-phase convs have Cin output channels each, and XNNPACK is inefficient with very few: for the
  // generator's last layer (Cin 1) one combined conv with s*s*Cin channels was 4.8 ms vs 7.3 ms, while
  // for Cin 64 (7 -> 14) separate phases were 47 ms vs 52 ms and for Cin 11 about even (batch 64).
  if (info.strideHeight * info.strideWidth > 1 && inChannels < PER_PHASE_MIN_CHANNELS)
    return combinedPhases(backend, dy, filter, info);
  return separatePhases(backend, dy, filter, info);
}

/** Shapes, strides and padding of the forward conv. */
export type ConvInfo = backend_util.Conv2DInfo;

/** s*s XNNPACK convs (one per output phase) interleaved into dx: exact multiply-adds. Exported for benchmarks. */
function separatePhases(
  backend: BackendWasm,
  dy: TensorInfo,
  filter: TensorInfo,
  info: ConvInfo,
): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, outChannels, outHeight, outWidth } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const fshape = filter.shape as [number, number, number, number];
  const out = backend.makeOutput([batchSize, inHeight, inWidth, inChannels], "float32");
  const cin = inChannels;
  const rowStride = inWidth * cin;
  const imageStride = inHeight * rowStride;
  for (let rh = 0; rh < sh; rh++) {
    const ph = planPhase(rh, inHeight, outHeight, kh, sh, info.padInfo.top);
    for (let rw = 0; rw < sw; rw++) {
      const pw = planPhase(rw, inWidth, outWidth, kw, sw, info.padInfo.left);
      if (ph.count === 0 || pw.count === 0) continue;
      if (ph.taps === 0 || pw.taps === 0) {
        // No filter tap reaches this phase: its dx entries are zero.
        const o = backend.typedArrayFromHeap(out) as Float32Array;
        for (let n = 0; n < batchSize; n++) {
          for (let a = 0; a < ph.count; a++) {
            for (let b = 0; b < pw.count; b++) {
              const at =
                n * imageStride + (ph.first + a * sh) * rowStride + (pw.first + b * sw) * cin;
              o.fill(0, at, at + cin);
            }
          }
        }
        continue;
      }
      const sub = backend.makeOutput([ph.taps, pw.taps, outChannels, cin], "float32");
      phaseFilter(
        backend.typedArrayFromHeap(filter),
        fshape,
        [sh, sw],
        [rh, rw],
        [ph.taps, pw.taps],
        backend.typedArrayFromHeap(sub) as Float32Array,
      );
      const y = xnnConv2d(backend, dy, sub, {
        fh: ph.taps,
        fw: pw.taps,
        padTop: ph.padBefore,
        padBottom: ph.padAfter,
        padLeft: pw.padBefore,
        padRight: pw.padAfter,
        strideH: 1,
        strideW: 1,
        dilationH: 1,
        dilationW: 1,
      }); // [N, yh, yw, Cin]
      const yh = y.shape[1] as number;
      const yw = y.shape[2] as number;
      // Views after every allocation above (heap growth detaches older views).
      const o = backend.typedArrayFromHeap(out) as Float32Array;
      const v = backend.typedArrayFromHeap(y) as Float32Array;
      for (let n = 0; n < batchSize; n++) {
        for (let a = 0; a < ph.count; a++) {
          let src = ((n * yh + ph.offset + a) * yw + pw.offset) * cin;
          let dst = n * imageStride + (ph.first + a * sh) * rowStride + pw.first * cin;
          const dstStep = sw * cin;
          if (cin >= 16) {
            for (let b = 0; b < pw.count; b++, src += cin, dst += dstStep) {
              o.set(v.subarray(src, src + cin), dst);
            }
          } else {
            for (let b = 0; b < pw.count; b++, src += cin, dst += dstStep) {
              for (let c = 0; c < cin; c++) o[dst + c] = v[src + c] as number;
            }
          }
        }
      }
      disposeInfo(backend, y);
      disposeInfo(backend, sub);
    }
  }
  return out;
}

/**
 * One XNNPACK conv computing all s*s phases as s*s*Cin channels (filter from {@link subPixelFilter}),
 * then depth-to-space (reshape + transpose) and a crop of the padding. Exported for benchmarks.
 */
function combinedPhases(
  backend: BackendWasm,
  dy: TensorInfo,
  filter: TensorInfo,
  info: ConvInfo,
): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, outChannels, outHeight, outWidth } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const fshape = filter.shape as [number, number, number, number];
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  const mh = Math.ceil(kh / sh);
  const mw = Math.ceil(kw / sw);
  const qh = Math.ceil((inHeight + padTop) / sh);
  const qw = Math.ceil((inWidth + padLeft) / sw);
  const phases = sh * sw * inChannels;

  const temps: TensorInfo[] = [];
  const sub = backend.makeOutput([mh, mw, outChannels, phases], "float32");
  temps.push(sub);
  // Views taken after the allocation above (heap growth detaches older views).
  subPixelFilter(
    backend.typedArrayFromHeap(filter),
    fshape,
    sh,
    sw,
    backend.typedArrayFromHeap(sub) as Float32Array,
  );
  const y = xnnConv2d(backend, dy, sub, {
    fh: mh,
    fw: mw,
    padTop: mh - 1,
    padBottom: qh - outHeight,
    padLeft: mw - 1,
    padRight: qw - outWidth,
    strideH: 1,
    strideW: 1,
    dilationH: 1,
    dilationW: 1,
  }); // [N, qh, qw, sh*sw*Cin]
  temps.push(y);
  let full: TensorInfo;
  if (sh === 1 && sw === 1) {
    full = y;
  } else {
    const y6 = runKernel(
      backend,
      "Reshape",
      { x: y },
      { shape: [batchSize, qh, qw, sh, sw, inChannels] },
    );
    temps.push(y6);
    const shuffled = transposeInfo(backend, y6, [0, 1, 3, 2, 4, 5]);
    temps.push(shuffled);
    full = runKernel(
      backend,
      "Reshape",
      { x: shuffled },
      { shape: [batchSize, qh * sh, qw * sw, inChannels] },
    );
    temps.push(full);
  }
  let out: TensorInfo;
  if (padTop === 0 && padLeft === 0 && qh * sh === inHeight && qw * sw === inWidth) {
    out = runKernel(backend, "Identity", { x: full }, {});
  } else {
    out = runKernel(
      backend,
      "Slice",
      { x: full },
      { begin: [0, padTop, padLeft, 0], size: [batchSize, inHeight, inWidth, inChannels] },
    );
  }
  for (const t of temps) disposeInfo(backend, t);
  return out;
}

/** Registry entry: replaces the stock wasm Conv2DBackpropInput. */
export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: WASM,
  kernelFunc: conv2DBackpropInput as unknown as KernelFunc,
};
