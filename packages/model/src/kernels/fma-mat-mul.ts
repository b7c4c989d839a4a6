/**
 * Dense-layer products on wasm through our FMA GEMM, reading both operands in place.
 *
 * Why: XNNPACK's fully-connected GEMM packs its right operand on every call, and a training step
 * changes every operand it sees: G's dense layer ([32, 110] x [110, 6272] per shard) and the
 * gradients of its weights and of D's label maps (x^T dy: [110, 32] x [32, 6272] and
 * [10, 32] x [32, 12544], which batch-mat-mul.ts otherwise transposes first) took ~10 ms of a
 * 32-image shard, ~5 GMAC/s. Our GEMM (fma-gemm.ts) reads B's rows where they are (8 adjacent
 * columns per panel) and A with any strides, so A^T costs nothing either.
 *
 * Taken for float32 products with batch 1, B not transposed, N a multiple of 8 and at least
 * MIN_MACS multiply-adds; everything else goes on to the BatchMatMul kernel behind it. Sums run
 * over k in order with the CPU's fused multiply-add: the values differ from XNNPACK's in rounding
 * only (tests: against the cpu backend to 1e-5). EDGEGAN_FMA_GEMM=0 switches it off with the FMA
 * convolutions, EDGEGAN_FMA_MATMUL=0 alone.
 */
import type { BatchMatMulAttrs, TensorInfo } from "@tensorflow/tfjs-core";
import { batchOf, type FastPath } from "./fast-path.ts";
import { fmaConvEnabled } from "./fma-conv.ts";
import { GEMM_NR, gemmRowMajorB, heapMemory } from "./fma-gemm.ts";

/** Smaller products stay on the kernel behind (the call costs more than it saves). */
const MIN_MACS = 1 << 20;

/** Whether the path may run: the FMA GEMM's conditions, and not switched off alone (to compare). */
function enabled(): boolean {
  return globalThis.process?.env.EDGEGAN_FMA_MATMUL !== "0" && fmaConvEnabled();
}

/** C = op(A) B for float32 A and B of batch 1, B not transposed, N a multiple of 8. */
export const matMulFma: FastPath = ({ inputs, backend, attrs }) => {
  const { a, b } = inputs as { a?: TensorInfo; b?: TensorInfo };
  const { transposeA, transposeB } = attrs as unknown as BatchMatMulAttrs;
  if (a === undefined || b === undefined || transposeB || !enabled()) return null;
  if (a.dtype !== "float32" || b.dtype !== "float32") return null;
  if (batchOf(a.shape) !== 1 || batchOf(b.shape) !== 1) return null;
  const [a0, a1] = a.shape.slice(-2) as [number, number];
  const [k, n] = b.shape.slice(-2) as [number, number];
  const [m, ka] = transposeA ? [a1, a0] : [a0, a1];
  if (ka !== k || n % GEMM_NR !== 0 || m * k * n < MIN_MACS) return null;
  const memory = heapMemory(backend);
  if (memory === undefined) return null;
  const rank = Math.max(a.shape.length, b.shape.length);
  const out = backend.makeOutput([...new Array<number>(rank - 2).fill(1), m, n], "float32");
  // offsets after makeOutput: making it may grow the heap (offsets stay, views would not)
  const at = (t: TensorInfo) => backend.getMemoryOffset(t.dataId);
  // A[i, kk] at i * rowBytes + kk * colBytes: a as stored ([m, k]) or its transpose ([k, m])
  const aView = transposeA
    ? { offset: at(a), rowBytes: 4, colBytes: m * 4 }
    : { offset: at(a), rowBytes: k * 4, colBytes: 4 };
  gemmRowMajorB(
    memory,
    aView,
    { offset: at(b), rowBytes: n * 4 },
    { offset: at(out), rowBytes: n * 4 },
    { m, k, n },
  );
  return out;
};
