/**
 * A faster Tile for the wasm backend.
 *
 * The stock wasm Tile decodes a multi-index per output element; on a DCGAN step it cost more than the
 * conv weight gradients (BatchNorm's gradient tiles mean/variance/scale to the full activation shape,
 * and the discriminator tiles label maps to [N, 28, 28, 10]). Tiling is pure copying, so here it is
 * done with contiguous block copies on the wasm heap: copy each input block into place, then
 * replicate the finished block with doubling `copyWithin` calls. Memory-bound, no per-element index math.
 */
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import {
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
  Tile,
  type TileAttrs,
  type TileInputs,
} from "@tensorflow/tfjs-core";
import { WASM } from "./wasm-interop.ts";

type NumArray = Float32Array | Int32Array | Uint8Array;

/**
 * Write `src` (row-major, shape `shape`) tiled `reps` times along each axis into `dst`.
 * Exported for tests. `dst.length` must be the product of shape[i] * reps[i].
 */
export function tileInto(
  src: NumArray,
  shape: readonly number[],
  reps: readonly number[],
  dst: NumArray,
): void {
  const rank = shape.length;
  if (rank === 0) {
    dst[0] = src[0] as number;
    return;
  }
  // Innermost axes that are not repeated can be copied as one contiguous block.
  let inner = rank;
  let block = 1;
  while (inner > 0 && reps[inner - 1] === 1) {
    inner--;
    block *= shape[inner] as number;
  }
  if (inner === 0) {
    dst.set(src.subarray(0, block));
    return;
  }
  const inStrides = new Array<number>(inner);
  const outStrides = new Array<number>(inner);
  let is = block;
  let os = block;
  for (let d = inner - 1; d >= 0; d--) {
    inStrides[d] = is;
    outStrides[d] = os;
    is *= shape[d] as number;
    os *= (shape[d] as number) * (reps[d] as number);
  }
  const fill = (d: number, inOff: number, outOff: number): void => {
    const n = shape[d] as number;
    const ist = inStrides[d] as number;
    const ost = outStrides[d] as number;
    if (d === inner - 1) {
      // Axis made of contiguous blocks: n blocks of `block` elements are contiguous too.
      dst.set(src.subarray(inOff, inOff + n * block), outOff);
    } else {
      for (let i = 0; i < n; i++) fill(d + 1, inOff + i * ist, outOff + i * ost);
    }
    // Replicate the first copy (n * ost elements) reps[d] times by doubling.
    const once = n * ost;
    const total = once * (reps[d] as number);
    let done = once;
    while (done < total) {
      const len = Math.min(done, total - done);
      dst.copyWithin(outOff + done, outOff, outOff + len);
      done += len;
    }
  };
  fill(0, 0, 0);
}

/**
 * Tile on the wasm heap.
 * @param args.inputs.x any shape, float32/int32/bool; args.attrs.reps one positive count per axis.
 * @returns x repeated reps[i] times along axis i.
 */
export function tile(args: {
  inputs: TileInputs;
  backend: BackendWasm;
  attrs: TileAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x } = inputs;
  if (x === undefined) throw new Error("wasm Tile needs input x");
  const { reps } = attrs;
  if (reps.length !== x.shape.length) {
    throw new Error(`wasm Tile: reps [${reps}] must have one entry per axis of x [${x.shape}]`);
  }
  if (x.dtype === "string" || x.dtype === "complex64") {
    throw new Error(`wasm Tile supports float32, int32 and bool, got ${x.dtype}`);
  }
  const outShape = x.shape.map((s, i) => s * (reps[i] as number));
  const out = backend.makeOutput(outShape, x.dtype);
  if (outShape.some((s) => s === 0)) return out;
  // Views after makeOutput: allocation may grow (and detach) the heap.
  tileInto(
    backend.typedArrayFromHeap(x) as NumArray,
    x.shape,
    reps,
    backend.typedArrayFromHeap(out) as NumArray,
  );
  return out;
}

/** Registry entry: replaces the stock wasm Tile. */
export const tileConfig: KernelConfig = {
  kernelName: Tile,
  backendName: WASM,
  kernelFunc: tile as unknown as KernelFunc,
};
