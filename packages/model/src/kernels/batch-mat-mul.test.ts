import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import {
  onBothBackends,
  randomTensor,
  relativeError,
  setupBackends,
} from "../../test/backend-compare.ts";

/** [a shape, b shape, transposeA, transposeB] */
const CASES: [number[], number[], boolean, boolean][] = [
  [[5, 7], [7, 9], false, false],
  [[50, 4], [3, 4], false, true], // B small: transposed copy of B
  [[2, 10], [3, 2], true, true], // M large: both operands transposed
  [[1, 7, 5], [9, 7], true, true], // (B A)^T, ranks differ
  [[5, 7], [9, 7], false, true],
  [[7, 5], [7, 9], true, false],
  [[7, 5], [9, 7], true, true],
  [[64, 110], [64, 300], true, false], // dW = X^T dY of a dense layer
  [[64, 300], [110, 300], false, true], // dX = dY W^T
  [[1, 6, 4], [1, 6, 3], true, false], // rank 3, batch 1
  [[3, 4, 6], [3, 5, 6], false, true], // batched: passed to the stock kernel
];

describe("BatchMatMul on wasm", () => {
  beforeAll(setupBackends);

  it.each(CASES)("a %j b %j transposeA %s transposeB %s matches cpu", async (as, bs, ta, tb) => {
    const { cpu, wasm, shapes, cpuShapes } = await onBothBackends(() =>
      tf.matMul(randomTensor(as, 9), randomTensor(bs, 10), ta, tb),
    );
    expect(shapes).toEqual(cpuShapes);
    expect(relativeError(cpu[0] as Float32Array, wasm[0] as Float32Array)).toBeLessThan(1e-4);
  });

  it("frees the transposed copies", async () => {
    await tf.setBackend("wasm");
    const a = randomTensor([6, 4], 11);
    const b = randomTensor([5, 4], 12);
    const before = tf.engine().backend.numDataIds();
    const c = tf.matMul(a, b, false, true);
    expect(c.shape).toEqual([6, 5]);
    expect(tf.engine().backend.numDataIds()).toBe(before + 1);
    tf.dispose([a, b, c]);
  });
});
