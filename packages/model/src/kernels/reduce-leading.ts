/**
 * Fast path for Sum and Mean on wasm when the reduced axes are the leading ones, e.g. a per-channel
 * reduction of an NHWC activation over [N, H, W] (BatchNorm statistics and gradients, bias
 * gradients: ~45 calls per DCGAN step). The stock kernels first transpose the reduced axes to the
 * end and then reduce (~2 ms for [64,14,14,64]); here rows are accumulated in place, four rows per
 * pass into float64 accumulators (~0.65 ms measured; a one-row loop is slower than stock, being
 * bound by the accumulator's load-add-store chain).
 */
import { backend_util, util } from "@tensorflow/tfjs-core";
import { type FastPath, type KernelArgs, sizeOf } from "./fast-path.ts";

/**
 * Column sums of a row-major [rows, width] block (float64 accumulation). Exported for tests.
 * @returns Float64Array of length `width`.
 */
export function columnSums(v: Float32Array, rows: number, width: number): Float64Array {
  const acc = new Float64Array(width);
  const w2 = 2 * width;
  const w3 = 3 * width;
  let r = 0;
  for (; r + 3 < rows; r += 4) {
    const b = r * width;
    for (let c = 0; c < width; c++) {
      const i = b + c;
      acc[c] =
        (acc[c] as number) +
        (v[i] as number) +
        (v[i + width] as number) +
        (v[i + w2] as number) +
        (v[i + w3] as number);
    }
  }
  for (; r < rows; r++) {
    const b = r * width;
    for (let c = 0; c < width; c++) acc[c] = (acc[c] as number) + (v[b + c] as number);
  }
  return acc;
}

function reduceLeading(args: KernelArgs, mean: boolean) {
  const { inputs, backend, attrs } = args;
  const { x } = inputs;
  if (x === undefined || x.dtype !== "float32") return null;
  const rank = x.shape.length;
  const axes = [...util.parseAxisParam(attrs.axis as number | number[], x.shape)].sort(
    (a, b) => a - b,
  );
  // Only a strict prefix of the axes [0, 1, ..., k-1], k < rank.
  if (axes.length === 0 || axes.length >= rank || axes.some((a, i) => a !== i)) return null;
  const rows = sizeOf(x.shape.slice(0, axes.length));
  const width = sizeOf(x.shape.slice(axes.length));
  if (rows === 0 || width === 0) return null;
  let outShape = x.shape.slice(axes.length);
  if (attrs.keepDims) outShape = backend_util.expandShapeToKeepDim(outShape, axes);
  const out = backend.makeOutput(outShape, "float32");
  const acc = columnSums(backend.typedArrayFromHeap(x) as Float32Array, rows, width);
  const o = backend.typedArrayFromHeap(out) as Float32Array;
  const scale = mean ? 1 / rows : 1;
  for (let c = 0; c < width; c++) o[c] = (acc[c] as number) * scale;
  return out;
}

/** Sum over leading axes of a float32 tensor; null otherwise. */
export const sumFast: FastPath = (args) => reduceLeading(args, false);

/** Mean over leading axes of a float32 tensor; null otherwise. */
export const meanFast: FastPath = (args) => reduceLeading(args, true);
