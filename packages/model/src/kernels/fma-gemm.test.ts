import { describe, expect, it } from "vitest";
import {
  GEMM_NR,
  gemmRowMajorB,
  type HeapMemory,
  heapGemm,
  relaxedSimdSupported,
} from "./fma-gemm.ts";

const memoryApi = (
  globalThis as unknown as { WebAssembly: { Memory: new (d: { initial: number }) => HeapMemory } }
).WebAssembly;

/** A fresh heap with A (m x k, row-major or transposed) and B (k x n) filled from a fixed sequence. */
function setup(m: number, k: number, n: number, transposedA: boolean) {
  const memory = new memoryApi.Memory({ initial: 16 }); // 1 MiB
  const heap = new Float32Array(memory.buffer);
  const aAt = 64;
  const bAt = aAt + m * k * 4 + 64;
  const cAt = bAt + k * n * 4 + 64;
  const packAt = cAt + m * n * 4 + 64;
  let s = 12345;
  const next = () => {
    s = (s * 1103515245 + 12345) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  };
  for (let i = 0; i < m * k; i++) heap[aAt / 4 + i] = next();
  for (let i = 0; i < k * n; i++) heap[bAt / 4 + i] = next();
  // A(i, kk) at aAt + i*rowBytes + kk*colBytes
  const a = transposedA
    ? { offset: aAt, rowBytes: 4, colBytes: m * 4 }
    : { offset: aAt, rowBytes: k * 4, colBytes: 4 };
  const ref = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let kk = 0; kk < k; kk++) {
        const av = heap[(a.offset + i * a.rowBytes + kk * a.colBytes) / 4] as number;
        sum += av * (heap[bAt / 4 + kk * n + j] as number);
      }
      ref[i * n + j] = sum;
    }
  const run = (fused: boolean) => {
    heapGemm(
      memory,
      a,
      { offset: bAt, rowBytes: n * 4, colBytes: 4 },
      { offset: cAt, rowBytes: n * 4 },
      { m, k, n },
      packAt,
      fused,
    );
    return new Float32Array(memory.buffer, cAt, m * n).slice();
  };
  /** The same product with B read where it is (no packing). */
  const runInPlace = (fused: boolean) => {
    new Float32Array(memory.buffer, cAt, m * n).fill(Number.NaN);
    gemmRowMajorB(
      memory,
      a,
      { offset: bAt, rowBytes: n * 4 },
      { offset: cAt, rowBytes: n * 4 },
      { m, k, n },
      fused,
    );
    return new Float32Array(memory.buffer, cAt, m * n).slice();
  };
  return { ref, run, runInPlace };
}

function relError(ref: Float64Array, got: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < ref.length; i++) {
    diff = Math.max(diff, Math.abs((ref[i] as number) - (got[i] as number)));
    scale = Math.max(scale, Math.abs(ref[i] as number));
  }
  return diff / scale;
}

describe("heapGemm (generated wasm SGEMM)", () => {
  const shapes: [number, number, number, boolean][] = [
    [4, 1, 8, false],
    [13, 37, 24, false], // a 1-row edge tile
    [66, 100, 16, false], // more rows than one row block, 2-row edge
    [7, 51, 8, true], // A read transposed
  ];

  it.each(shapes)("%i x %i x %i (A transposed: %s) without FMA matches float64", (m, k, n, t) => {
    const { ref, run } = setup(m, k, n, t);
    expect(relError(ref, run(false))).toBeLessThan(1e-5);
  });

  it.skipIf(!relaxedSimdSupported())(
    "with relaxed-SIMD FMA matches float64 and gives the same bits on every call",
    () => {
      for (const [m, k, n, t] of shapes) {
        const { ref, run } = setup(m, k, n, t);
        const first = run(true);
        expect(relError(ref, first)).toBeLessThan(1e-5);
        expect(run(true)).toEqual(first);
      }
    },
  );

  it.each(shapes)(
    "%i x %i x %i (A transposed: %s) with B read in place gives the packed path's bits",
    (m, k, n, t) => {
      const { run, runInPlace } = setup(m, k, n, t);
      expect(runInPlace(false)).toEqual(run(false));
      if (relaxedSimdSupported()) expect(runInPlace(true)).toEqual(run(true));
    },
  );

  it("rejects a width that is not a multiple of the panel", () => {
    const { run } = setup(4, 4, GEMM_NR + 4, false);
    expect(() => run(false)).toThrow(/multiple of 8/);
  });

  it("detects relaxed SIMD on Node 22 and later", () => {
    const major = Number(process.versions.node.split(".")[0]);
    if (major >= 22) expect(relaxedSimdSupported()).toBe(true);
    else console.info(`Node ${process.versions.node}: relaxed SIMD ${relaxedSimdSupported()}`);
  });
});
