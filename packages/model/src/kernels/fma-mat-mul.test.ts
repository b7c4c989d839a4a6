/**
 * Dense products on the FMA GEMM (fma-mat-mul.ts) against the cpu backend, in the shapes a
 * training step has, and the cases it must leave to the kernel behind it.
 */
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import {
  onBothBackends,
  randomTensor,
  relativeError,
  setupBackends,
} from "../../test/backend-compare.ts";
import type { KernelArgs } from "./fast-path.ts";
import { fmaConvEnabled } from "./fma-conv.ts";
import { matMulFma } from "./fma-mat-mul.ts";

/** Whether the fast path takes a product of these operand shapes (on the wasm heap). */
function takes(
  aShape: number[],
  bShape: number[],
  transposeA: boolean,
  transposeB: boolean,
): boolean {
  const a = randomTensor(aShape, 1);
  const b = randomTensor(bShape, 2);
  const backend = tf.backend() as unknown as KernelArgs["backend"];
  const out = matMulFma({
    inputs: { a, b },
    backend,
    attrs: { transposeA, transposeB },
  } as unknown as KernelArgs);
  const taken = out !== null;
  if (out !== null && !Array.isArray(out)) backend.disposeData(out.dataId);
  tf.dispose([a, b]);
  return taken;
}

describe.skipIf(!fmaConvEnabled())("dense products on the FMA GEMM", () => {
  beforeAll(setupBackends);

  it.each([
    { name: "G's dense layer", a: [32, 110], b: [110, 6272], transposeA: false },
    { name: "its weight gradient x^T dy", a: [32, 110], b: [32, 6272], transposeA: true },
    { name: "D's label-map weight gradient", a: [32, 10], b: [32, 12544], transposeA: true },
    { name: "7 rows (a 3-row edge tile)", a: [7, 300], b: [300, 512], transposeA: false },
  ])(
    "$name: $a x $b (A transposed: $transposeA) matches cpu to 1e-5",
    async ({ a, b, transposeA }) => {
      await tf.setBackend("wasm");
      expect(takes(a, b, transposeA, false)).toBe(true);
      const { cpu, wasm, shapes, cpuShapes } = await onBothBackends(() =>
        tf.matMul(randomTensor(a, 3), randomTensor(b, 4), transposeA, false),
      );
      expect(shapes).toEqual(cpuShapes);
      expect(relativeError(cpu[0] as Float32Array, wasm[0] as Float32Array)).toBeLessThan(1e-5);
    },
  );

  it("leaves B transposed, N not a multiple of 8, batches and small products to the kernel behind", async () => {
    await tf.setBackend("wasm");
    expect(takes([32, 110], [6272, 110], false, true)).toBe(false); // B transposed
    expect(takes([32, 6272], [6272, 1], false, false)).toBe(false); // N = 1
    expect(takes([2, 32, 110], [2, 110, 6272], false, false)).toBe(false); // batch 2
    expect(takes([4, 16], [16, 64], false, false)).toBe(false); // 4 K multiply-adds
  });
});
