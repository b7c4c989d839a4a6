/**
 * LeakyReLU on wasm, forward and gradient, as generated f32x4 loops over the heap.
 *
 * Forward: x > 0 ? x : alpha * x, with the product in float64 and rounded to float32, as the cpu
 * backend's loop computes it (bit-identical to it); the 4 lanes go through two f64x2 products.
 * A JavaScript loop over the heap took ~3.5 ns a value here, the generated loop a fraction of it.
 *
 * Gradient: dx = x > 0 ? dy : dy * alpha in one pass. Why: TF.js differentiates LeakyRelu as
 * Select(Greater(x, 0), dy, Multiply(dy, alpha)): three kernels, three passes over the
 * activations and two temporaries (a bool mask, dy * alpha). D's two LeakyReLUs are
 * differentiated six times a step (real, fake, and G's pass through D), ~20 ms of a 32-image
 * shard's ~310 ms on an idle machine. One loop (compare, multiply, bit-select) gives the same
 * bits: the product is the float32 multiply that Multiply does (dy times alpha rounded to
 * float32), the selection copies bits, and a NaN in x takes the dy * alpha side as Greater's
 * false does.
 *
 * The gradient is registered for every backend (TF.js keeps one per kernel); it runs the fused
 * kernel where the active backend has it (wasm, registered by wasm-backend.ts) and TF.js's own
 * three-kernel formula everywhere else.
 */
import {
  engine,
  type GradConfig,
  getBackend,
  getKernel,
  greater,
  type KernelConfig,
  type KernelFunc,
  LeakyRelu,
  mul,
  type NamedAttrMap,
  type Tensor,
  type TensorInfo,
  where,
} from "@tensorflow/tfjs-core";
import { type FastPath, type KernelArgs, sizeOf } from "./fast-path.ts";
import { type HeapMemory, heapMemory, heapModule } from "./fma-gemm.ts";
import { Body, F32, F64, I32, moduleBytes, V128 } from "./wasm-emit.ts";

/** Name of the fused kernel: inputs dy and x (same shape, float32), attribute alpha. */
export const LEAKY_RELU_GRAD = "EdgeganLeakyReluGrad";

/** `grad(x, dy, out, bytes, alpha)`: the gradient of `bytes` / 16 groups of four floats. */
function gradModuleBytes(): Uint8Array {
  const [X, DY, OUT, BYTES, ALPHA, ALPHAS] = [0, 1, 2, 3, 4, 5];
  const body = new Body();
  body.get(ALPHA).f32x4Splat().set(ALPHAS);
  body.block().get(BYTES).i32Eqz().brIf(0);
  body.loop();
  body.get(OUT); // the store's address, under the value
  body.get(DY).v128Load(0); // x > 0: dy
  body.get(DY).v128Load(0).get(ALPHAS).f32x4Mul(); // else dy * alpha
  body.get(X).v128Load(0).v128Zero().f32x4Gt(); // mask: x > 0
  body.v128Bitselect().v128Store(0);
  body.advance([X, DY, OUT], 16);
  body.get(BYTES).i32(16).i32Sub().tee(BYTES).brIf(0);
  body.end().end();
  return moduleBytes([
    {
      exportName: "grad",
      params: [I32, I32, I32, I32, F32],
      results: [],
      locals: [V128],
      body,
    },
  ]);
}

/** `forward(x, out, bytes, alpha)`: LeakyReLU of `bytes` / 16 groups of four floats. */
function forwardModuleBytes(): Uint8Array {
  const [X, OUT, BYTES, ALPHA, ALPHAS, V] = [0, 1, 2, 3, 4, 5];
  const low = [0, 1, 2, 3, 4, 5, 6, 7];
  const body = new Body();
  body.get(ALPHA).f64x2Splat().set(ALPHAS);
  body.block().get(BYTES).i32Eqz().brIf(0);
  body.loop();
  body.get(OUT); // the store's address, under the value
  body.get(X).v128Load(0).tee(V); // x > 0: x
  // else alpha * x in float64, rounded to float32: lanes 0-1, then lanes 2-3 moved down
  body.get(V).f64x2PromoteLow().get(ALPHAS).f64x2Mul().f32x4DemoteZero();
  body
    .get(V)
    .get(V)
    .i8x16Shuffle([...low.map((i) => i + 8), ...low.map((i) => i + 8)])
    .f64x2PromoteLow()
    .get(ALPHAS)
    .f64x2Mul()
    .f32x4DemoteZero();
  body.i8x16Shuffle([...low, ...low.map((i) => i + 16)]); // [a0, a1] and [a2, a3] as one vector
  body.get(V).v128Zero().f32x4Gt(); // mask: x > 0
  body.v128Bitselect().v128Store(0);
  body.advance([X, OUT], 16);
  body.get(BYTES).i32(16).i32Sub().tee(BYTES).brIf(0);
  body.end().end();
  return moduleBytes([
    {
      exportName: "forward",
      params: [I32, I32, I32, F64],
      results: [],
      locals: [V128, V128],
      body,
    },
  ]);
}

type GradFn = (x: number, dy: number, out: number, bytes: number, alpha: number) => void;
type ForwardFn = (x: number, out: number, bytes: number, alpha: number) => void;

function simdGrad(memory: HeapMemory): GradFn {
  return heapModule(memory, "leaky relu grad", gradModuleBytes).grad as GradFn;
}

function simdForward(memory: HeapMemory): ForwardFn {
  return heapModule(memory, "leaky relu forward", forwardModuleBytes).forward as ForwardFn;
}

/** LeakyRelu of a float32 tensor (int32 goes to the stock kernel). */
export const leakyReluFast: FastPath = ({ inputs, backend, attrs }: KernelArgs) => {
  const { x } = inputs;
  if (x === undefined || x.dtype !== "float32") return null;
  const alpha = attrs.alpha as number; // float64, as the cpu backend multiplies
  const n = sizeOf(x.shape);
  const out = backend.makeOutput(x.shape, "float32");
  const v = backend.typedArrayFromHeap(x) as Float32Array;
  const o = backend.typedArrayFromHeap(out) as Float32Array;
  const memory = heapMemory(backend);
  const simd = memory === undefined ? 0 : n - (n % 4);
  if (memory !== undefined && simd > 0)
    simdForward(memory)(v.byteOffset, o.byteOffset, simd * 4, alpha);
  for (let i = simd; i < n; i++) {
    const a = v[i] as number;
    o[i] = a > 0 ? a : a * alpha;
  }
  return out;
};

/** dx for float32 x and dy of one shape, on the wasm heap. */
function leakyReluGradWasm({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { dy, x } = inputs;
  if (dy === undefined || x === undefined) throw new Error(`${LEAKY_RELU_GRAD}: needs dy and x`);
  const n = sizeOf(x.shape);
  if (dy.dtype !== "float32" || x.dtype !== "float32" || sizeOf(dy.shape) !== n)
    throw new Error(`${LEAKY_RELU_GRAD}: dy and x must be float32 of one size`);
  const alpha = Math.fround(attrs.alpha as number);
  const out = backend.makeOutput(x.shape, "float32");
  const v = backend.typedArrayFromHeap(x) as Float32Array;
  const d = backend.typedArrayFromHeap(dy) as Float32Array;
  const o = backend.typedArrayFromHeap(out) as Float32Array;
  const memory = heapMemory(backend);
  const simd = memory === undefined ? 0 : n - (n % 4);
  if (memory !== undefined && simd > 0)
    simdGrad(memory)(v.byteOffset, d.byteOffset, o.byteOffset, simd * 4, alpha);
  // the rest (or all, where the heap cannot be imported): a float32 product, exact in float64
  for (let i = simd; i < n; i++) {
    const g = d[i] as number;
    o[i] = (v[i] as number) > 0 ? g : Math.fround(g * alpha);
  }
  return out;
}

export const leakyReluGradWasmConfig: KernelConfig = {
  kernelName: LEAKY_RELU_GRAD,
  backendName: "wasm",
  kernelFunc: leakyReluGradWasm as unknown as KernelFunc,
};

/** LeakyRelu's gradient: the fused kernel where the active backend has one, else TF.js's. */
export const leakyReluGradConfig: GradConfig = {
  kernelName: LeakyRelu,
  inputsToSave: ["x"],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs?: NamedAttrMap) => {
    const [x] = saved as [Tensor];
    const grad = dy as Tensor;
    const alpha = (attrs as NamedAttrMap).alpha as number;
    if (getKernel(LEAKY_RELU_GRAD, getBackend()) !== undefined)
      return { x: () => engine().runKernel(LEAKY_RELU_GRAD, { dy: grad, x }, { alpha }) as Tensor };
    const mask = greater(x, 0);
    return { x: () => where(mask, grad, mul(grad, alpha)) };
  },
};
