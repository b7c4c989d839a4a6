import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import {
  onBothBackends,
  randomTensor,
  relativeError,
  setupBackends,
} from "../../test/backend-compare.ts";

describe("LeakyRelu / Greater / Select fast paths on wasm", () => {
  beforeAll(setupBackends);

  it("leakyRelu and its gradient match cpu", async () => {
    const { cpu, wasm } = await onBothBackends(() => {
      const x = randomTensor([4, 6, 6, 8], 90);
      const dy = randomTensor([4, 6, 6, 8], 91);
      const [dx] = tf.grads((v: tf.Tensor) => tf.sum(tf.mul(tf.leakyRelu(v, 0.2), dy)))([x]);
      return [tf.leakyRelu(x, 0.2), dx as tf.Tensor];
    });
    for (let i = 0; i < 2; i++) {
      expect(relativeError(cpu[i] as Float32Array, wasm[i] as Float32Array)).toBe(0);
    }
  });

  it("greater (same shape, scalar, broadcast) and select match cpu", async () => {
    const { cpu, wasm, shapes, cpuShapes } = await onBothBackends(() => {
      const a = randomTensor([3, 5], 92);
      const b = randomTensor([3, 5], 93);
      return [
        tf.cast(tf.greater(a, b), "float32"),
        tf.cast(tf.greater(a, 0), "float32"),
        tf.cast(tf.greater(a, randomTensor([5], 94)), "float32"), // stock broadcast
        tf.where(tf.greater(a, b), a, b),
      ];
    });
    expect(shapes).toEqual(cpuShapes);
    for (let i = 0; i < 4; i++) {
      expect(relativeError(cpu[i] as Float32Array, wasm[i] as Float32Array)).toBe(0);
    }
  });

  it("selects special values bit-exactly", async () => {
    await tf.setBackend("wasm");
    const c = tf.tensor1d([true, true, true, false], "bool");
    const t = tf.tensor1d([Number.NaN, Number.POSITIVE_INFINITY, -0, 5]);
    const e = tf.tensor1d([1, 2, 3, Number.NEGATIVE_INFINITY]);
    const r = tf.where(c, t, e);
    const v = Array.from(r.dataSync());
    expect(v[0]).toBeNaN();
    expect(v.slice(1)).toEqual([Number.POSITIVE_INFINITY, -0, Number.NEGATIVE_INFINITY]);
    expect(Object.is(v[2], -0)).toBe(true);
    tf.dispose([c, t, e, r]);
  });

  it("leaves int32 leakyRelu and greater to the stock kernels", async () => {
    await tf.setBackend("wasm");
    const l = tf.leakyRelu(tf.tensor1d([-2, 3], "int32"), 0.5);
    expect(Array.from(l.dataSync())).toEqual([-1, 3]);
    const g = tf.greater(tf.tensor1d([1, 5], "int32"), tf.scalar(2, "int32"));
    expect(Array.from(g.dataSync())).toEqual([0, 1]);
    tf.dispose([l, g]);
  });
});
