/**
 * The fused Adam kernel's JavaScript loop (its tail, and all of it where the heap cannot be
 * imported) against TF.js's Adam formula op by op on the cpu backend, on enough random values
 * that a missing float32 rounding shows. The kernel as a whole is tested in ../fused-adam.test.ts.
 */
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { randomTensor, setupBackends } from "../../test/backend-compare.ts";
import { adamConstants, adamScalar } from "./adam.ts";

describe("adamScalar", () => {
  beforeAll(async () => {
    await setupBackends();
    await tf.setBackend("cpu");
  });

  it("gives the bits of TF.js's formula on cpu for 20,000 random values", () => {
    const n = 20_000;
    const [g, m, v0, w] = [1, 2, 3, 4].map((seed) => randomTensor([n], seed));
    const v = tf.abs(v0 as tf.Tensor); // a second moment is never negative
    const attrs = { beta1: 0.5, beta2: 0.999, epsilon: 1e-7, learningRate: 2e-4 };
    const [c1, c2] = [1 - 0.5 ** 3, 1 - 0.999 ** 3]; // 1 - beta^t after two steps
    // TF.js 4.22's AdamOptimizer.applyGradients, op by op
    const expected = tf.tidy(() => {
      const newM = tf.add(
        tf.mul(m as tf.Tensor, attrs.beta1),
        tf.mul(g as tf.Tensor, 1 - attrs.beta1),
      );
      const newV = tf.add(
        tf.mul(v, attrs.beta2),
        tf.mul(tf.square(g as tf.Tensor), 1 - attrs.beta2),
      );
      const correctedM = tf.div(newM, tf.scalar(c1));
      const correctedV = tf.div(newV, tf.scalar(c2));
      const step = tf.div(correctedM, tf.add(tf.sqrt(correctedV), attrs.epsilon));
      const newW = tf.add(tf.mul(step, -attrs.learningRate), w as tf.Tensor);
      return [newM, newV, newW].map((t) => t.dataSync() as Float32Array);
    });
    const arrays = {
      g: (g as tf.Tensor).dataSync() as Float32Array,
      m: (m as tf.Tensor).dataSync() as Float32Array,
      v: v.dataSync() as Float32Array,
      w: (w as tf.Tensor).dataSync() as Float32Array,
      outM: new Float32Array(n),
      outV: new Float32Array(n),
      outW: new Float32Array(n),
    };
    adamScalar(arrays, adamConstants(attrs, c1, c2), 0, n);
    expect(arrays.outM).toEqual(expected[0]);
    expect(arrays.outV).toEqual(expected[1]);
    expect(arrays.outW).toEqual(expected[2]);
    tf.dispose([g, m, v0, w, v] as tf.Tensor[]);
  });
});
