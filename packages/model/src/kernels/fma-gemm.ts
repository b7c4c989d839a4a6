/**
 * A register-blocked SGEMM written as WebAssembly at load time, using relaxed SIMD's fused
 * multiply-add (`f32x4.relaxed_madd`), working directly on the TF.js wasm backend's heap.
 *
 * Why: the prebuilt tfjs-backend-wasm 4.22 binary runs its XNNPACK GEMMs with separate f32x4
 * multiplies and adds (no FMA); an FMA kernel of our own does the DCGAN's convolution products
 * faster (docs/step-profile.md has the measurement).
 *
 * Layout: C[M, N] = A[M, K] B[K, N], float32 on the heap. A is read in place with any strides
 * (element (i, k) at a + i * aRowBytes + k * aKBytes); B is packed into panels of NR = 8 columns,
 * each k-major (8 consecutive floats per k). One kernel call computes `tiles` tiles of MR = 4 rows
 * against one panel, keeping the 4 x 8 block of C in 8 f32x4 registers for the whole K loop.
 */

import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { cachedPer, type PerOwnerCache } from "./per-owner-cache.ts";
import { Body, I32, moduleBytes, V128 } from "./wasm-emit.ts";

/** A WebAssembly.Memory (the project's TypeScript libs carry no WebAssembly JS-API types). */
export interface HeapMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}

/** The few pieces of the WebAssembly JS API used here. */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: abstract new (...args: never[]) => HeapMemory;
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Whether `value` is a WebAssembly.Memory over a plain (non-shared) buffer, importable here. */
export function isPlainMemory(value: unknown): value is HeapMemory {
  return value instanceof wasmApi.Memory && value.buffer instanceof ArrayBuffer;
}

/** The wasm backend's linear memory, if our modules can import it (a plain, non-shared memory). */
export function heapMemory(backend: BackendWasm): HeapMemory | undefined {
  const memory = (backend.wasm as unknown as { asm?: { memory?: unknown } }).asm?.memory;
  return isPlainMemory(memory) ? memory : undefined;
}

/** Shape of the register block and the strides the code is specialised on. */
export interface MicroKernelSpec {
  /** Rows of A / C per tile. */
  mr: number;
  /** f32x4 vectors per row of the tile (NR = 4 * nv columns). */
  nv: number;
  /** Byte step of A between rows (compiled in as load offsets). */
  aRowBytes: number;
  /** Byte step of A between k (columns). */
  aKBytes: number;
  /** Row stride of C in bytes. */
  ldcBytes: number;
  /** Byte step of B between k (rows of a panel): NR * 4 when packed, B's row stride when not. */
  bKBytes: number;
  /** true: relaxed_madd (FMA where the CPU has it); false: f32x4.mul then f32x4.add. */
  fused: boolean;
}

/**
 * `tiles(a, b, c, k, tiles)`: for t < tiles, C tile t (MR x NR at c + t * MR * ldc) =
 * A tile t (MR rows from a + t * MR * aRowBytes, k columns) x B panel (k x NR at b).
 */
export type TilesFn = (a: number, b: number, c: number, k: number, tiles: number) => void;

/** Bytes of the micro-kernel module for `spec`. */
export function microKernelBytes(spec: MicroKernelSpec): Uint8Array {
  const { mr, nv, aRowBytes, aKBytes, ldcBytes, bKBytes, fused } = spec;
  // params: a, b, c, k, tiles; locals: p, q, kk, accumulators, B vectors, A splat
  const [A, B, C, K, TILES, P, Q, KK] = [0, 1, 2, 3, 4, 5, 6, 7];
  const ACC = 8; // mr * nv v128 accumulators, row-major
  const BV = ACC + mr * nv;
  const AV = BV + nv;
  const acc = (i: number, j: number) => ACC + i * nv + j;
  const body = new Body();
  body.loop(); // per tile
  for (let i = 0; i < mr; i++) for (let j = 0; j < nv; j++) body.v128Zero().set(acc(i, j));
  body.get(A).set(P).get(B).set(Q).get(K).set(KK);
  body.loop(); // per k
  for (let j = 0; j < nv; j++)
    body
      .get(Q)
      .v128Load(j * 16)
      .set(BV + j);
  for (let i = 0; i < mr; i++) {
    body
      .get(P)
      .load32Splat(i * aRowBytes)
      .set(AV);
    for (let j = 0; j < nv; j++) {
      if (fused)
        body
          .get(AV)
          .get(BV + j)
          .get(acc(i, j))
          .f32x4RelaxedMadd();
      else
        body
          .get(AV)
          .get(BV + j)
          .f32x4Mul()
          .get(acc(i, j))
          .f32x4Add();
      body.set(acc(i, j));
    }
  }
  body.get(P).i32(aKBytes).i32Add().set(P);
  body.get(Q).i32(bKBytes).i32Add().set(Q);
  body.get(KK).i32(1).i32Sub().tee(KK).brIf(0);
  body.end(); // k loop
  for (let i = 0; i < mr; i++)
    for (let j = 0; j < nv; j++)
      body
        .get(C)
        .get(acc(i, j))
        .v128Store(i * ldcBytes + j * 16);
  body
    .get(A)
    .i32(mr * aRowBytes)
    .i32Add()
    .set(A);
  body
    .get(C)
    .i32(mr * ldcBytes)
    .i32Add()
    .set(C);
  body.get(TILES).i32(1).i32Sub().tee(TILES).brIf(0);
  body.end(); // tile loop
  return moduleBytes([
    {
      exportName: "tiles",
      params: [I32, I32, I32, I32, I32],
      results: [],
      locals: [I32, I32, I32, ...new Array<number>(mr * nv + nv + 1).fill(V128)],
      body,
    },
  ]);
}

/** Whether this engine validates relaxed-SIMD code (Node 22 does; Node 20 does not). */
export function relaxedSimdSupported(): boolean {
  const probe = microKernelBytes({
    mr: 1,
    nv: 1,
    aRowBytes: 4,
    aKBytes: 4,
    ldcBytes: 16,
    bKBytes: 16,
    fused: true,
  });
  return wasmApi.validate(probe);
}

const instances: PerOwnerCache<HeapMemory, Record<string, unknown>> = new WeakMap();

/**
 * The exports of a generated module instantiated on `memory`, compiled once per memory and key.
 * @param bytes called only on the first use of `key`.
 */
export function heapModule(
  memory: HeapMemory,
  key: string,
  bytes: () => Uint8Array,
): Record<string, unknown> {
  return cachedPer(instances, memory, key, () => {
    const module = new wasmApi.Module(bytes());
    return new wasmApi.Instance(module, { env: { memory } }).exports;
  });
}

function microKernel(memory: HeapMemory, spec: MicroKernelSpec): TilesFn {
  const key = `gemm ${spec.mr}x${spec.nv} ${spec.aRowBytes} ${spec.aKBytes} ${spec.ldcBytes} ${spec.bKBytes} ${spec.fused}`;
  return heapModule(memory, key, () => microKernelBytes(spec)).tiles as TilesFn;
}

/** A float32 matrix on the heap: element (i, j) at byte offset + i * rowBytes + j * colBytes. */
export interface HeapMatrix {
  offset: number;
  rowBytes: number;
  colBytes: number;
}

const MR = 4;
const NV = 2;
/** Columns of C per B panel; n must be a multiple of it. */
export const GEMM_NR = 4 * NV;
/** Rows of A run against one B panel before moving to the next (keeps A's block in L2). */
const ROW_BLOCK = 64;

/**
 * Pack B[k, n] (any strides) into n / NR k-major panels at byte offset `pack`: panel q holds
 * columns q * NR .. q * NR + NR - 1, row kk at pack + (q * k + kk) * NR * 4.
 */
export function packPanels(
  memory: HeapMemory,
  b: HeapMatrix,
  k: number,
  n: number,
  pack: number,
): void {
  const heap = new Float32Array(memory.buffer);
  const rs = b.rowBytes >> 2;
  const cs = b.colBytes >> 2;
  const base = b.offset >> 2;
  let d = pack >> 2;
  for (let p = 0; p < n; p += GEMM_NR) {
    for (let kk = 0; kk < k; kk++) {
      const s = base + kk * rs + p * cs;
      for (let j = 0; j < GEMM_NR; j++) heap[d++] = heap[s + j * cs] as number;
    }
  }
}

/** m x k x n of a product. */
export interface GemmDims {
  m: number;
  k: number;
  n: number;
}

/** Where B's panels of NR columns lie: panel q's row kk at offset + q * panelBytes + kk * kBytes. */
interface PanelLayout {
  offset: number;
  kBytes: number;
  panelBytes: number;
}

/**
 * C[m, n] = A[m, k] B[k, n] with B's NR-column panels as `b` lays them out. C is row-major with
 * row stride `c.rowBytes`; `n` must be a multiple of {@link GEMM_NR}. Every element of C is
 * summed over k in order 0..k-1 with one rounding per multiply-add where the CPU fuses it (two
 * where it does not): the same bits on every call on one machine. `fused` false: mul + add.
 */
function gemmPanels(
  memory: HeapMemory,
  a: HeapMatrix,
  b: PanelLayout,
  c: { offset: number; rowBytes: number },
  dims: GemmDims,
  fused: boolean,
): void {
  const { m, k, n } = dims;
  if (n % GEMM_NR !== 0) throw new Error(`gemm: n = ${n} is not a multiple of ${GEMM_NR}`);
  if (m <= 0 || k <= 0) throw new Error(`gemm: empty product ${m}x${k}x${n}`);
  const spec = {
    nv: NV,
    aRowBytes: a.rowBytes,
    aKBytes: a.colBytes,
    ldcBytes: c.rowBytes,
    bKBytes: b.kBytes,
    fused,
  };
  const full = microKernel(memory, { ...spec, mr: MR });
  const rest = m % MR;
  const fullRows = m - rest;
  for (let m0 = 0; m0 < fullRows; m0 += ROW_BLOCK) {
    const rows = Math.min(ROW_BLOCK, fullRows - m0);
    const aRow = a.offset + m0 * a.rowBytes;
    const cRow = c.offset + m0 * c.rowBytes;
    for (let q = 0; q * GEMM_NR < n; q++) {
      full(aRow, b.offset + q * b.panelBytes, cRow + q * GEMM_NR * 4, k, rows / MR);
    }
  }
  if (rest > 0) {
    const edge = microKernel(memory, { ...spec, mr: rest });
    const aRow = a.offset + fullRows * a.rowBytes;
    const cRow = c.offset + fullRows * c.rowBytes;
    for (let q = 0; q * GEMM_NR < n; q++)
      edge(aRow, b.offset + q * b.panelBytes, cRow + q * GEMM_NR * 4, k, 1);
  }
}

/** {@link gemmPanels} with B packed ({@link packPanels}) at `pack`. */
export function gemmPacked(
  memory: HeapMemory,
  a: HeapMatrix,
  pack: number,
  c: { offset: number; rowBytes: number },
  dims: GemmDims,
  fused = true,
): void {
  const layout = { offset: pack, kBytes: GEMM_NR * 4, panelBytes: dims.k * GEMM_NR * 4 };
  gemmPanels(memory, a, layout, c, dims, fused);
}

/**
 * {@link gemmPanels} reading B in place: row-major with unit column stride, its rows
 * `b.rowBytes` apart (each panel is 8 adjacent columns). No packing pass, for a B that is used
 * once (a dense layer's changing weights, a gradient).
 */
export function gemmRowMajorB(
  memory: HeapMemory,
  a: HeapMatrix,
  b: { offset: number; rowBytes: number },
  c: { offset: number; rowBytes: number },
  dims: GemmDims,
  fused = true,
): void {
  const layout = { offset: b.offset, kBytes: b.rowBytes, panelBytes: GEMM_NR * 4 };
  gemmPanels(memory, a, layout, c, dims, fused);
}

/** {@link packPanels} then {@link gemmPacked}; `pack` is scratch for k * n floats. */
export function heapGemm(
  memory: HeapMemory,
  a: HeapMatrix,
  b: HeapMatrix,
  c: { offset: number; rowBytes: number },
  dims: GemmDims,
  pack: number,
  fused = true,
): void {
  if (dims.n % GEMM_NR !== 0)
    throw new Error(`gemm: n = ${dims.n} is not a multiple of ${GEMM_NR}`);
  packPanels(memory, b, dims.k, dims.n, pack);
  gemmPacked(memory, a, pack, c, dims, fused);
}
