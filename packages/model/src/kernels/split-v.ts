/**
 * Fast path for SplitV on wasm (the gradient of Concat). The stock kernel slices through a full
 * copy of the input per piece and one `subarray().set()` per row; here each piece is copied
 * directly, with a plain loop for narrow rows (e.g. the 1-channel image of a label-map concat).
 */
import { backend_util, type TensorInfo, util } from "@tensorflow/tfjs-core";
import { type FastPath, type KernelArgs, sizeOf } from "./fast-path.ts";

type Numeric = Float32Array | Int32Array | Uint8Array;

const LOOP_BELOW = 64;

/** Split `x` along `attrs.axis` into `attrs.numOrSizeSplits`; null for strings (stock handles). */
export const splitVFast: FastPath = ({ inputs, backend, attrs }: KernelArgs) => {
  const { x } = inputs;
  if (x === undefined || x.dtype === "string" || x.dtype === "complex64") return null;
  if (sizeOf(x.shape) === 0) return null;
  const axis = util.parseAxisParam(attrs.axis as number, x.shape)[0] as number;
  const sizes = backend_util.prepareSplitSize(
    x as never,
    attrs.numOrSizeSplits as number | number[],
    axis,
  );
  const outer = sizeOf(x.shape.slice(0, axis));
  const inner = sizeOf(x.shape.slice(axis + 1));
  const inRow = (x.shape[axis] as number) * inner;
  const outs: TensorInfo[] = [];
  let offset = 0;
  for (const s of sizes) {
    const shape = [...x.shape];
    shape[axis] = s;
    const out = backend.makeOutput(shape, x.dtype);
    outs.push(out);
    const row = s * inner;
    if (row > 0) {
      // Views after the allocation (heap growth detaches older views).
      const v = backend.typedArrayFromHeap(x) as Numeric;
      const o = backend.typedArrayFromHeap(out) as Numeric;
      for (let b = 0; b < outer; b++) {
        const src = b * inRow + offset;
        const dst = b * row;
        if (row >= LOOP_BELOW) o.set(v.subarray(src, src + row), dst);
        else for (let j = 0; j < row; j++) o[dst + j] = v[src + j] as number;
      }
    }
    offset += row;
  }
  return outs;
};
