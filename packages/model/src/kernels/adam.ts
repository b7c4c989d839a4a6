/**
 * Adam's update of one variable as one kernel: a generated f32x4 loop over the wasm heap.
 *
 * Why: TF.js's Adam updates each variable with 14 kernels (Multiply, Add, Square, RealDiv, Sqrt
 * and assigns): ~3.3 passes over the weights, the moments and six temporaries, for each of the
 * ~20 variables of the DCGAN, on every replica, every step. One loop reads the gradient, both
 * moments and the weights once and writes the three results.
 *
 * Same bits as TF.js's formula, operation by operation in float32 (each rounded to nearest,
 * which wasm's f32x4 mul, add, div and sqrt do, as the cpu backend's float64-then-round does):
 *   m' = m * beta1 + g * (1 - beta1)
 *   v' = v * beta2 + (g * g) * (1 - beta2)
 *   w' = ((m' / (1 - beta1^t)) / (sqrt(v' / (1 - beta2^t)) + epsilon)) * -lr + w
 * with every constant rounded to float32 as TF.js's scalars are, and 1 - beta^t read from the
 * optimiser's own scalars (so the bias correction is TF.js's, resume included).
 */
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import type { KernelConfig, KernelFunc, TensorInfo } from "@tensorflow/tfjs-core";
import { type KernelArgs, sizeOf } from "./fast-path.ts";
import { type HeapMemory, heapMemory, heapModule } from "./fma-gemm.ts";
import { Body, F32, I32, moduleBytes, V128 } from "./wasm-emit.ts";
import { WASM } from "./wasm-interop.ts";

/**
 * Name of the kernel. Inputs: gradient, m, v, value (float32, one size) and the optimiser's
 * scalars oneMinusAccBeta1, oneMinusAccBeta2; attributes beta1, beta2, epsilon, learningRate.
 * Outputs: [m', v', value'].
 */
export const ADAM_UPDATE = "EdgeganAdamUpdate";

/** The update's float32 constants, as TF.js rounds them. */
export interface AdamConstants {
  beta1: number;
  oneMinusBeta1: number;
  beta2: number;
  oneMinusBeta2: number;
  /** 1 - beta1^t and 1 - beta2^t: the bias corrections of this step. */
  correction1: number;
  correction2: number;
  epsilon: number;
  negativeRate: number;
}

/** The constants from the kernel's attributes and the optimiser's two scalars. */
export function adamConstants(
  attrs: { beta1: number; beta2: number; epsilon: number; learningRate: number },
  correction1: number,
  correction2: number,
): AdamConstants {
  const f = Math.fround;
  return {
    beta1: f(attrs.beta1),
    oneMinusBeta1: f(1 - attrs.beta1), // TF.js: 1 - beta1 in float64, then a float32 scalar
    beta2: f(attrs.beta2),
    oneMinusBeta2: f(1 - attrs.beta2),
    correction1: f(correction1),
    correction2: f(correction2),
    epsilon: f(attrs.epsilon),
    negativeRate: f(-attrs.learningRate),
  };
}

/** Float32 arrays of one length: the inputs g, m, v, w and the outputs m', v', w'. */
export interface AdamArrays {
  g: Float32Array;
  m: Float32Array;
  v: Float32Array;
  w: Float32Array;
  outM: Float32Array;
  outV: Float32Array;
  outW: Float32Array;
}

/** Elements [from, n) of the update in JavaScript, rounding after every operation. */
export function adamScalar(a: AdamArrays, c: AdamConstants, from: number, n: number): void {
  const f = Math.fround;
  for (let i = from; i < n; i++) {
    const g = a.g[i] as number;
    const m = f(f((a.m[i] as number) * c.beta1) + f(g * c.oneMinusBeta1));
    const v = f(f((a.v[i] as number) * c.beta2) + f(f(g * g) * c.oneMinusBeta2));
    const step = f(f(m / c.correction1) / f(f(Math.sqrt(f(v / c.correction2))) + c.epsilon));
    a.outM[i] = m;
    a.outV[i] = v;
    a.outW[i] = f(f(step * c.negativeRate) + (a.w[i] as number));
  }
}

/**
 * `adam(g, m, v, w, outM, outV, outW, bytes, beta1, 1-beta1, beta2, 1-beta2, c1, c2, eps, -lr)`:
 * the update of `bytes` / 16 groups of four floats.
 */
function adamModuleBytes(): Uint8Array {
  const [G, M, V, W, OUT_M, OUT_V, OUT_W, BYTES] = [0, 1, 2, 3, 4, 5, 6, 7];
  const constants = [8, 9, 10, 11, 12, 13, 14, 15]; // the f32 parameters, in AdamConstants order
  const [B1, C1, B2, C2, A1, A2, EPS, NLR] = [16, 17, 18, 19, 20, 21, 22, 23]; // their splats, +8
  const [GV, MV, VV] = [24, 25, 26]; // this group's g, m', v'
  const body = new Body();
  for (const p of constants)
    body
      .get(p)
      .f32x4Splat()
      .set(p + 8);
  body.block().get(BYTES).i32Eqz().brIf(0);
  body.loop();
  body.get(G).v128Load(0).set(GV);
  // m' = m * beta1 + g * (1 - beta1)
  body.get(OUT_M);
  body.get(M).v128Load(0).get(B1).f32x4Mul();
  body.get(GV).get(C1).f32x4Mul().f32x4Add().tee(MV).v128Store(0);
  // v' = v * beta2 + (g * g) * (1 - beta2)
  body.get(OUT_V);
  body.get(V).v128Load(0).get(B2).f32x4Mul();
  body.get(GV).get(GV).f32x4Mul().get(C2).f32x4Mul().f32x4Add().tee(VV).v128Store(0);
  // w' = ((m' / c1) / (sqrt(v' / c2) + eps)) * -lr + w
  body.get(OUT_W);
  body.get(MV).get(A1).f32x4Div();
  body.get(VV).get(A2).f32x4Div().f32x4Sqrt().get(EPS).f32x4Add();
  body.f32x4Div().get(NLR).f32x4Mul();
  body.get(W).v128Load(0).f32x4Add().v128Store(0);
  body.advance([G, M, V, W, OUT_M, OUT_V, OUT_W], 16);
  body.get(BYTES).i32(16).i32Sub().tee(BYTES).brIf(0);
  body.end().end();
  return moduleBytes([
    {
      exportName: "adam",
      params: [...new Array<number>(8).fill(I32), ...new Array<number>(8).fill(F32)],
      results: [],
      locals: [...new Array<number>(8).fill(V128), V128, V128, V128],
      body,
    },
  ]);
}

type AdamFn = (...pointersBytesAndConstants: number[]) => void;

function simdAdam(memory: HeapMemory): AdamFn {
  return heapModule(memory, "adam", adamModuleBytes).adam as AdamFn;
}

/** The first value of a float32 scalar on the heap. */
function scalarOf(backend: BackendWasm, info: TensorInfo | undefined, name: string): number {
  if (info === undefined || info.dtype !== "float32" || sizeOf(info.shape) !== 1)
    throw new Error(`${ADAM_UPDATE}: ${name} must be a float32 scalar`);
  return (backend.typedArrayFromHeap(info) as Float32Array)[0] as number;
}

function adamUpdateWasm({ inputs, backend, attrs }: KernelArgs): TensorInfo[] {
  const { gradient, m, v, value } = inputs;
  const tensors = [gradient, m, v, value];
  const n = value === undefined ? 0 : sizeOf(value.shape);
  if (tensors.some((t) => t === undefined || t.dtype !== "float32" || sizeOf(t.shape) !== n))
    throw new Error(`${ADAM_UPDATE}: gradient, m, v and value must be float32 of one size`);
  const [g, m0, v0, w0] = tensors as [TensorInfo, TensorInfo, TensorInfo, TensorInfo];
  const c = adamConstants(
    attrs as unknown as Parameters<typeof adamConstants>[0],
    scalarOf(backend, inputs.oneMinusAccBeta1, "oneMinusAccBeta1"),
    scalarOf(backend, inputs.oneMinusAccBeta2, "oneMinusAccBeta2"),
  );
  // outputs first: making one may grow the heap, which detaches views taken before
  const outs = [m0, v0, w0].map((t) => backend.makeOutput(t.shape, "float32"));
  const view = (t: TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;
  const [outM, outV, outW] = outs.map(view) as [Float32Array, Float32Array, Float32Array];
  const arrays: AdamArrays = {
    g: view(g),
    m: view(m0),
    v: view(v0),
    w: view(w0),
    outM,
    outV,
    outW,
  };
  const memory = heapMemory(backend);
  const simd = memory === undefined ? 0 : n - (n % 4);
  if (memory !== undefined && simd > 0) {
    const { g: ga, m: ma, v: va, w: wa } = arrays;
    const pointers = [ga, ma, va, wa, outM, outV, outW].map((a) => a.byteOffset);
    const { beta1, oneMinusBeta1, beta2, oneMinusBeta2, correction1, correction2 } = c;
    const scalars = [beta1, oneMinusBeta1, beta2, oneMinusBeta2, correction1, correction2];
    simdAdam(memory)(...pointers, simd * 4, ...scalars, c.epsilon, c.negativeRate);
  }
  adamScalar(arrays, c, simd, n); // the tail (or all, where the heap cannot be imported)
  return outs;
}

export const adamUpdateWasmConfig: KernelConfig = {
  kernelName: ADAM_UPDATE,
  backendName: WASM,
  kernelFunc: adamUpdateWasm as unknown as KernelFunc,
};
