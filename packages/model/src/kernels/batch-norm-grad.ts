/**
 * BatchNorm's closed-form training gradient (../batch-norm-training.ts) as two generated f32x4
 * passes over a channels-last activation on the wasm heap.
 *
 * Why: in TF.js kernels the closed form is still ~9 passes over the activation (centre, scale,
 * two products, two channel sums, the combination); D's BatchNorm is differentiated three times
 * a step and G's two once. Here pass 1 reads x and dy once for both channel sums
 * (sum(dy), sum(dy * x^)), and pass 2 reads them again to write dx; what is per channel
 * (1 / sqrt(var + eps), the sums divided by N, gamma / sqrt(var + eps)) is computed between the
 * passes in JavaScript, C values.
 *
 * Same formula and operation order as the TF.js version for dx; the channel sums add rows in
 * order in float32 (TF.js's Sum on wasm adds in another order), so values agree to rounding.
 * Channels must be a multiple of 4 for the SIMD passes (64, 128 and 6,272 in the DCGAN); other
 * counts, or a heap that cannot be imported, run the same loops in JavaScript.
 */
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import type { KernelConfig, KernelFunc, TensorInfo } from "@tensorflow/tfjs-core";
import { type KernelArgs, sizeOf } from "./fast-path.ts";
import { type HeapMemory, heapMemory, heapModule } from "./fma-gemm.ts";
import { Body, I32, moduleBytes, V128 } from "./wasm-emit.ts";
import { WASM } from "./wasm-interop.ts";

/**
 * Name of the kernel. Inputs: dy and x (float32, one shape, channels last), mean, variance and
 * gamma ([channels]); attribute epsilon. Outputs: [dx, dgamma, dbeta].
 */
export const BATCH_NORM_GRAD = "EdgeganBatchNormGrad";

/** The per-channel vectors of pass 2, in the order they lie in the scratch buffer. */
const CHANNEL_VECTORS = ["mean", "r", "a", "b", "k"] as const;

/**
 * Both passes' loop nest: for each of `rows` rows (none when 0), the channel byte offset `offset`
 * runs 0, 16, ... up to `cBytes` while `step` handles four channels; the row `pointers` step by
 * 16 bytes with it, so they run on through the rows.
 */
function overRowsAndChannels(
  body: Body,
  locals: { rows: number; cBytes: number; offset: number; pointers: readonly number[] },
  step: () => void,
): void {
  const { rows, cBytes, offset, pointers } = locals;
  body.block().get(rows).i32Eqz().brIf(0);
  body.loop(); // rows
  body.i32(0).set(offset);
  body.loop(); // channels, four at a time
  step();
  body.advance([...pointers, offset], 16);
  body.get(cBytes).get(offset).i32Sub().brIf(0);
  body.end();
  body.get(rows).i32(1).i32Sub().tee(rows).brIf(0);
  body.end().end();
}

/**
 * `sums(x, dy, mean, r, sumDy, sumDyXHat, rows, cBytes)`: per channel, sumDy += dy and
 * sumDyXHat += dy * ((x - mean) * r) over `rows` rows of cBytes / 4 channels.
 * `dx(x, dy, vectors, out, rows, cBytes)`: out = (dy - ((x - mean) * r * a + b)) * k with the
 * five channel vectors at vectors, vectors + cBytes, ...
 */
function moduleBytesOfPasses(): Uint8Array {
  const sums = new Body();
  {
    const [X, DY, MEAN, R, S_DY, S_DYX, ROWS, CBYTES, O, XHAT, DYV] = [
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ];
    const at = (base: number) => sums.get(base).get(O).i32Add();
    overRowsAndChannels(sums, { rows: ROWS, cBytes: CBYTES, offset: O, pointers: [X, DY] }, () => {
      sums.get(X).v128Load(0);
      at(MEAN).v128Load(0);
      sums.f32x4Sub();
      at(R).v128Load(0);
      sums.f32x4Mul().set(XHAT); // x^ = (x - mean) * r
      sums.get(DY).v128Load(0).set(DYV);
      at(S_DY);
      at(S_DY).v128Load(0);
      sums.get(DYV).f32x4Add().v128Store(0);
      at(S_DYX);
      at(S_DYX).v128Load(0);
      sums.get(DYV).get(XHAT).f32x4Mul().f32x4Add().v128Store(0);
    });
  }
  const dx = new Body();
  {
    const [X, DY, VECTORS, OUT, ROWS, CBYTES, O] = [0, 1, 2, 3, 4, 5, 6];
    /** Channel vector `index` of CHANNEL_VECTORS at this group of four channels. */
    const vector = (index: number) => {
      dx.get(VECTORS).get(O).i32Add();
      for (let i = 0; i < index; i++) dx.get(CBYTES).i32Add();
      dx.v128Load(0);
    };
    overRowsAndChannels(
      dx,
      { rows: ROWS, cBytes: CBYTES, offset: O, pointers: [X, DY, OUT] },
      () => {
        dx.get(OUT);
        dx.get(DY).v128Load(0);
        dx.get(X).v128Load(0);
        vector(0);
        dx.f32x4Sub(); // x - mean
        vector(1);
        dx.f32x4Mul(); // x^
        vector(2);
        dx.f32x4Mul();
        vector(3);
        dx.f32x4Add(); // x^ * a + b
        dx.f32x4Sub(); // dy - (x^ * a + b)
        vector(4);
        dx.f32x4Mul().v128Store(0);
      },
    );
  }
  return moduleBytes([
    {
      exportName: "sums",
      params: new Array<number>(8).fill(I32),
      results: [],
      locals: [I32, V128, V128],
      body: sums,
    },
    {
      exportName: "dx",
      params: new Array<number>(6).fill(I32),
      results: [],
      locals: [I32],
      body: dx,
    },
  ]);
}

interface Passes {
  sums(...pointersRowsAndBytes: number[]): void;
  dx(...pointersRowsAndBytes: number[]): void;
}

function simdPasses(memory: HeapMemory): Passes {
  return heapModule(memory, "batch norm grad", moduleBytesOfPasses) as unknown as Passes;
}

/** Arrays of one call: x and dy [rows * c], the two sums [c], the channel vectors, dx. */
export interface BatchNormGradArrays {
  x: Float32Array;
  dy: Float32Array;
  sumDy: Float32Array;
  sumDyXHat: Float32Array;
  /** mean, r, a, b, k: c values each, one after another (CHANNEL_VECTORS). */
  vectors: Float32Array;
  dx: Float32Array;
}

/** Pass 1 in JavaScript: the two channel sums, rows added in order in float32. */
export function sumsScalar(a: BatchNormGradArrays, rows: number, c: number): void {
  const f = Math.fround;
  for (let row = 0; row < rows; row++) {
    for (let ch = 0; ch < c; ch++) {
      const i = row * c + ch;
      const g = a.dy[i] as number;
      const xHat = f(
        f((a.x[i] as number) - (a.vectors[ch] as number)) * (a.vectors[c + ch] as number),
      );
      a.sumDy[ch] = f((a.sumDy[ch] as number) + g);
      a.sumDyXHat[ch] = f((a.sumDyXHat[ch] as number) + f(g * xHat));
    }
  }
}

/** Pass 2 in JavaScript: dx = (dy - ((x - mean) * r * a + b)) * k. */
export function dxScalar(a: BatchNormGradArrays, rows: number, c: number): void {
  const f = Math.fround;
  const v = (which: number, ch: number) => a.vectors[which * c + ch] as number;
  for (let row = 0; row < rows; row++) {
    for (let ch = 0; ch < c; ch++) {
      const i = row * c + ch;
      const xHat = f(f((a.x[i] as number) - v(0, ch)) * v(1, ch));
      const centred = f(f(xHat * v(2, ch)) + v(3, ch));
      a.dx[i] = f(f((a.dy[i] as number) - centred) * v(4, ch));
    }
  }
}

/** Before pass 1: the mean, and r = 1 / sqrt(var + eps), as channel vectors 0 and 1. */
export function centringVectors(
  vectors: Float32Array,
  stats: { mean: Float32Array; variance: Float32Array },
  epsilon: number,
  c: number,
): void {
  const f = Math.fround;
  for (let ch = 0; ch < c; ch++) {
    vectors[ch] = stats.mean[ch] as number;
    vectors[c + ch] = f(1 / f(Math.sqrt(f((stats.variance[ch] as number) + f(epsilon)))));
  }
}

/** After pass 1: a = sum(dy x^) / N, b = sum(dy) / N and k = gamma r, channel vectors 2-4. */
export function combiningVectors(
  a: BatchNormGradArrays,
  gamma: Float32Array,
  count: number,
  c: number,
): void {
  const f = Math.fround;
  const v = a.vectors;
  for (let ch = 0; ch < c; ch++) {
    v[2 * c + ch] = f((a.sumDyXHat[ch] as number) / count);
    v[3 * c + ch] = f((a.sumDy[ch] as number) / count);
    v[4 * c + ch] = f((gamma[ch] as number) * (v[c + ch] as number));
  }
}

function batchNormGradWasm({ inputs, backend, attrs }: KernelArgs): TensorInfo[] {
  const { dy, x, mean, variance, gamma } = inputs;
  if (!dy || !x || !mean || !variance || !gamma)
    throw new Error(`${BATCH_NORM_GRAD}: needs dy, x, mean, variance and gamma`);
  const c = x.shape[x.shape.length - 1] as number;
  const n = sizeOf(x.shape);
  if ([dy, x, mean, variance, gamma].some((t) => t.dtype !== "float32") || sizeOf(dy.shape) !== n)
    throw new Error(`${BATCH_NORM_GRAD}: dy and x must be float32 of one size`);
  if ([mean, variance, gamma].some((t) => sizeOf(t.shape) !== c))
    throw new Error(`${BATCH_NORM_GRAD}: mean, variance and gamma must have ${c} values`);
  const rows = n / c;
  const wasm = backend as BackendWasm;
  const [dxOut, dGamma, dBeta, vectors] = [x.shape, [c], [c], [CHANNEL_VECTORS.length * c]].map(
    (s) => wasm.makeOutput(s, "float32"),
  ) as [TensorInfo, TensorInfo, TensorInfo, TensorInfo];
  // views after every allocation: one may grow the heap, which detaches views taken before
  const view = (t: TensorInfo) => wasm.typedArrayFromHeap(t) as Float32Array;
  const arrays: BatchNormGradArrays = {
    x: view(x),
    dy: view(dy),
    sumDy: view(dBeta).fill(0),
    sumDyXHat: view(dGamma).fill(0),
    vectors: view(vectors),
    dx: view(dxOut),
  };
  centringVectors(
    arrays.vectors,
    { mean: view(mean), variance: view(variance) },
    attrs.epsilon as number,
    c,
  );
  const memory = heapMemory(wasm);
  const passes = memory !== undefined && c % 4 === 0 ? simdPasses(memory) : undefined;
  const [xAt, dyAt, vAt] = [arrays.x, arrays.dy, arrays.vectors].map((a) => a.byteOffset) as [
    number,
    number,
    number,
  ];
  const cBytes = c * 4;
  if (passes)
    passes.sums(
      xAt,
      dyAt,
      vAt,
      vAt + cBytes,
      arrays.sumDy.byteOffset,
      arrays.sumDyXHat.byteOffset,
      rows,
      cBytes,
    );
  else sumsScalar(arrays, rows, c);
  combiningVectors(arrays, view(gamma), rows, c);
  if (passes) passes.dx(xAt, dyAt, vAt, arrays.dx.byteOffset, rows, cBytes);
  else dxScalar(arrays, rows, c);
  wasm.disposeData(vectors.dataId);
  return [dxOut, dGamma, dBeta];
}

export const batchNormGradWasmConfig: KernelConfig = {
  kernelName: BATCH_NORM_GRAD,
  backendName: WASM,
  kernelFunc: batchNormGradWasm as unknown as KernelFunc,
};
