/**
 * A faster Conv2DBackpropInput for the wasm backend. This op is both the input gradient of every conv
 * and the forward pass of every transposed conv (the generator's upsampling), so it runs several
 * times per GAN step; the stock wasm kernel is a plain C++ loop nest, far slower than XNNPACK.
 *
 * Formulation (sub-pixel / phase decomposition): with stride s, kernel k and top padding p,
 *   dx[i] = sum_m dy[q - m] * W[m*s + r]   where i + p = q*s + r, 0 <= r < s, 0 <= m < ceil(k/s).
 * So every output phase r is a stride-1 correlation of dy with a small flipped sub-filter. All s*s
 * phases become ONE XNNPACK convolution with s*s*Cin output channels (filter [M, M, Cout, s*s*Cin],
 * M = ceil(k/s)), followed by a depth-to-space shuffle (reshape + transpose) and a crop of p.
 * No zeros are multiplied (unlike convolving a zero-dilated dy), and the conv runs in XNNPACK.
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

/**
 * Rearrange a [kh, kw, Cin, Cout] conv filter into the sub-pixel filter [Mh, Mw, Cout, sh*sw*Cin]:
 * F[j, l, co, (rh*sw + rw)*Cin + ci] = W[(Mh-1-j)*sh + rh, (Mw-1-l)*sw + rw, ci, co] (0 outside W).
 * Exported for tests.
 */
export function subPixelFilter(
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
  const { batchSize, inHeight, inWidth, inChannels, outChannels, outHeight, outWidth } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  if (dy.shape[1] !== outHeight || dy.shape[2] !== outWidth || dy.shape[3] !== outChannels) {
    throw new Error(
      `wasm Conv2DBackpropInput: dy shape [${dy.shape}] does not match the conv output ` +
        `[${batchSize},${outHeight},${outWidth},${outChannels}]`,
    );
  }
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
