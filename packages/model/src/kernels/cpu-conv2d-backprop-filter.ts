/**
 * A Conv2DBackpropFilter for the pure-JS cpu backend that loops over flat arrays.
 *
 * The stock cpu kernel indexes through TensorBuffer.get() and takes ~92% of a DCGAN step
 * (~200 s at batch 64, docs/design-notes.md). This one computes the same sum directly; the
 * trainer activates it with the cpu backend when it falls back to `--backend cpu`, and the
 * tests use it too (train-step.test.ts checks it against the stock kernel).
 */
import "@tensorflow/tfjs-backend-cpu";
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import {
  backend_util,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  type Conv2DBackpropFilterInputs,
  type KernelFunc,
  type TensorInfo,
} from "@tensorflow/tfjs-core";

/** The cpu backend's own Conv2DBackpropFilter, kept for comparison and as a fallback. */
export const stockConvFilterGrad = tf.getKernel(Conv2DBackpropFilter, "cpu")?.kernelFunc;

/** Replace the cpu backend's Conv2DBackpropFilter with {@link fastConv2DBackpropFilter} (idempotent). */
export function registerCpuTrainingKernels(): void {
  if (
    tf.getKernel(Conv2DBackpropFilter, "cpu")?.kernelFunc === (fastConv2DBackpropFilter as unknown)
  )
    return;
  tf.unregisterKernel(Conv2DBackpropFilter, "cpu");
  tf.registerKernel({
    kernelName: Conv2DBackpropFilter,
    backendName: "cpu",
    kernelFunc: fastConv2DBackpropFilter as unknown as KernelFunc,
  });
}

/** Activate the cpu backend with {@link fastConv2DBackpropFilter}: the cpu twin of `initWasmTrainingBackend`. */
export async function initCpuTrainingBackend(): Promise<void> {
  registerCpuTrainingKernels();
  await tf.setBackend("cpu");
  await tf.ready();
}

/**
 * dW[r, c, i, o] = sum_{b, y, x} in[b, y*sh + r*dh - top, x*sw + c*dw - left, i] * dy[b, y, x, o], NHWC.
 * @returns float32 [fh, fw, inC, outC]
 */
export function fastConv2DBackpropFilter(args: {
  inputs: Conv2DBackpropFilterInputs;
  backend: MathBackendCPU;
  attrs: Conv2DBackpropFilterAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  const format = backend_util.convertConv2DDataFormat(dataFormat);
  if (format !== "channelsLast" || !stockConvFilterGrad) {
    if (!stockConvFilterGrad) throw new Error("cpu Conv2DBackpropFilter is not registered");
    return stockConvFilterGrad(args as never) as TensorInfo;
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
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw, padInfo } = info;
  const xv = backend.data.get(x.dataId).values as Float32Array;
  const dyv = backend.data.get(dy.dataId).values as Float32Array;
  const dW = new Float32Array(fh * fw * inChannels * outChannels);
  for (let b = 0; b < batchSize; b++) {
    for (let y = 0; y < outHeight; y++) {
      for (let xc = 0; xc < outWidth; xc++) {
        const dyOff = ((b * outHeight + y) * outWidth + xc) * outChannels;
        for (let r = 0; r < fh; r++) {
          const row = y * sh + r * dh - padInfo.top;
          if (row < 0 || row >= inHeight) continue;
          for (let c = 0; c < fw; c++) {
            const col = xc * sw + c * dw - padInfo.left;
            if (col < 0 || col >= inWidth) continue;
            const xOff = ((b * inHeight + row) * inWidth + col) * inChannels;
            const wBase = (r * fw + c) * inChannels;
            for (let i = 0; i < inChannels; i++) {
              const v = xv[xOff + i] as number;
              if (v === 0) continue;
              const wOff = (wBase + i) * outChannels;
              for (let o = 0; o < outChannels; o++) {
                dW[wOff + o] = (dW[wOff + o] as number) + v * (dyv[dyOff + o] as number);
              }
            }
          }
        }
      }
    }
  }
  return backend.makeTensorInfo(filterShape, "float32", dW);
}
