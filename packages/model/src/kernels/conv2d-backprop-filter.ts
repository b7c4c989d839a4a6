/**
 * Conv2DBackpropFilter for the wasm backend (stock tfjs-backend-wasm 4.22 has none, so every conv and
 * transposed-conv weight gradient fails there).
 *
 * Formulation: the weight gradient is itself a convolution, run on XNNPACK:
 *   dW[kh, kw, ci, co] = sum_{n, oh, ow} x[n, oh*s + kh - pt, ow*s + kw - pl, ci] * dy[n, oh, ow, co]
 * Treat ci as the batch and n as the channels: input x' = x^T [ci, H, W, N], filter dy' = [OH, OW, N, co],
 * dilation = stride s, stride 1, padding (pt, pl) in front. The result [ci, kh, kw, co] is transposed
 * to [kh, kw, ci, co]. Two cheap transposes, one XNNPACK convolution, no wasted multiply-adds.
 */
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import {
  backend_util,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  type Conv2DBackpropFilterInputs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from "@tensorflow/tfjs-core";
import { disposeInfo, runKernel, transposeInfo, WASM, xnnConv2d } from "./wasm-interop.ts";

/**
 * Gradient of an NHWC conv2d with respect to its filter.
 * @param args.inputs.x [N, H, W, Cin], args.inputs.dy [N, OH, OW, Cout]
 * @param args.attrs.filterShape [kh, kw, Cin, Cout]; strides; pad ('same' | 'valid' | number | explicit)
 * @returns dW [kh, kw, Cin, Cout]
 */
export function conv2DBackpropFilter(args: {
  inputs: Conv2DBackpropFilterInputs;
  backend: BackendWasm;
  attrs: Conv2DBackpropFilterAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs;
  if (x === undefined || dy === undefined) {
    throw new Error("wasm Conv2DBackpropFilter needs inputs x and dy");
  }
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  const format = backend_util.convertConv2DDataFormat(dataFormat);
  if (format !== "channelsLast") {
    throw new Error(
      `wasm Conv2DBackpropFilter supports dataFormat 'NHWC' only, got '${String(dataFormat)}'`,
    );
  }
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
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
      `wasm Conv2DBackpropFilter: dy shape [${dy.shape}] does not match the conv output ` +
        `[${batchSize},${outHeight},${outWidth},${outChannels}]`,
    );
  }
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  // Bottom/right padding making the output exactly kh x kw; negative means trailing rows of x
  // are never read by the forward conv, so they are cropped instead.
  let padBottom = kh + (outHeight - 1) * sh - inHeight - padTop;
  let padRight = kw + (outWidth - 1) * sw - inWidth - padLeft;

  const temps: TensorInfo[] = [];
  let xT = transposeInfo(backend, x, [3, 1, 2, 0]); // [Cin, H, W, N]
  temps.push(xT);
  if (padBottom < 0 || padRight < 0) {
    const h = inHeight + Math.min(padBottom, 0);
    const w = inWidth + Math.min(padRight, 0);
    xT = runKernel(
      backend,
      "Slice",
      { x: xT },
      { begin: [0, 0, 0, 0], size: [inChannels, h, w, batchSize] },
    );
    temps.push(xT);
    padBottom = Math.max(padBottom, 0);
    padRight = Math.max(padRight, 0);
  }
  const dyT = transposeInfo(backend, dy, [1, 2, 0, 3]); // [OH, OW, N, Cout]
  temps.push(dyT);
  const grad = xnnConv2d(backend, xT, dyT, {
    fh: outHeight,
    fw: outWidth,
    padTop,
    padBottom,
    padLeft,
    padRight,
    strideH: 1,
    strideW: 1,
    dilationH: sh,
    dilationW: sw,
  }); // [Cin, kh, kw, Cout]
  temps.push(grad);
  const out = transposeInfo(backend, grad, [1, 2, 0, 3]);
  for (const t of temps) disposeInfo(backend, t);
  return out;
}

/** Registry entry: Conv2DBackpropFilter on 'wasm'. */
export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: WASM,
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};
