/**
 * Fast paths for the element-wise kernels Greater and Select on wasm: the mask and the choice of
 * TF.js's LeakyReLU gradient, still run where the fused gradient (leaky-relu.ts) does not, and by
 * any other where(). The stock wasm kernels take ~5 ns/element here (a function pointer or
 * broadcast index math per element, and a data-dependent branch that mispredicts half the time
 * on random signs). These loops are branchless instead (measured on 802,816 floats: Greater
 * 3.9 -> 0.44 ms, Select 3.2 -> 0.8 ms): a 0/1 comparison result builds a bit mask, so results
 * are bit-identical to the branchy definitions.
 */
import { type FastPath, type KernelArgs, sizeOf } from "./fast-path.ts";

/**
 * Greater(a, b) for float32 a and b of the same shape or a one-element b (the LeakyReLU mask).
 * @returns bool tensor of a's shape; null for other shapes/dtypes.
 */
export const greaterFast: FastPath = ({ inputs, backend }: KernelArgs) => {
  const { a, b } = inputs;
  if (a === undefined || b === undefined || a.dtype !== "float32" || b.dtype !== "float32") {
    return null;
  }
  const n = sizeOf(a.shape);
  const bn = sizeOf(b.shape);
  const sameShape = a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
  // A one-element b must not raise a's rank (broadcasting would change the output shape).
  if (!sameShape && !(bn === 1 && b.shape.length <= a.shape.length)) return null;
  const out = backend.makeOutput(a.shape, "bool");
  const va = backend.typedArrayFromHeap(a) as Float32Array;
  const vb = backend.typedArrayFromHeap(b) as Float32Array;
  const o = backend.typedArrayFromHeap(out) as Uint8Array;
  if (sameShape) {
    for (let i = 0; i < n; i++) o[i] = +((va[i] as number) > (vb[i] as number));
  } else {
    const s = vb[0] as number;
    for (let i = 0; i < n; i++) o[i] = +((va[i] as number) > s);
  }
  return out;
};

/**
 * Select(condition, t, e) when all three have the same shape and t, e are float32.
 * @returns condition ? t : e, elementwise; null otherwise.
 */
export const selectFast: FastPath = ({ inputs, backend }: KernelArgs) => {
  const { condition, t, e } = inputs;
  if (condition === undefined || t === undefined || e === undefined) return null;
  if (condition.dtype !== "bool" || t.dtype !== "float32" || e.dtype !== "float32") return null;
  const same = (s: readonly number[]) =>
    s.length === condition.shape.length && s.every((d, i) => d === condition.shape[i]);
  if (!same(t.shape) || !same(e.shape)) return null;
  const out = backend.makeOutput(t.shape, "float32");
  const c = backend.typedArrayFromHeap(condition) as Uint8Array;
  // Bit patterns: o = (t & m) | (e & ~m) with m all ones where c is 1 (exact, NaN-safe).
  const bits = (info: typeof t) => {
    const f = backend.typedArrayFromHeap(info) as Float32Array;
    return new Int32Array(f.buffer, f.byteOffset, f.length);
  };
  const vt = bits(t);
  const ve = bits(e);
  const o = bits(out);
  for (let i = 0; i < c.length; i++) {
    const k = (c[i] as number) & 1;
    o[i] = ((vt[i] as number) & -k) | ((ve[i] as number) & (k - 1));
  }
  return out;
};
