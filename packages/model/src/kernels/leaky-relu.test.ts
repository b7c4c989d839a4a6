/**
 * LeakyReLU on wasm, forward and fused gradient, against the cpu backend (its loop, TF.js's
 * three-kernel gradient) bit for bit, and against values worked out by hand (signs, zero, NaN,
 * the scalar tail after the f32x4 groups).
 */
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import {
  kernelNamesOf,
  onBothBackends,
  randomTensor,
  setupBackends,
} from "../../test/backend-compare.ts";
import { LEAKY_RELU_GRAD } from "./leaky-relu.ts";

const gradOf = (x: tf.Tensor, dy: tf.Tensor, alpha: number) =>
  tf.grads((v: tf.Tensor) => tf.sum(tf.mul(tf.leakyRelu(v, alpha), dy)))([x])[0] as tf.Tensor;

describe("LeakyRelu on wasm", () => {
  beforeAll(setupBackends);

  it("forward works out by hand: x where x > 0, alpha * x in float64 rounded to float32", async () => {
    await tf.setBackend("wasm");
    // 7 values: one f32x4 group and a scalar tail of 3; -1.125 * 0.1 is -0.1125 (rounded: -0.11249999701976776)
    // with alpha in float64 but -0.11250000447034836 with alpha rounded to float32 first
    const values = [2, -1.125, -0, Number.NaN, 3e-38, -3, -1.125];
    const got = Array.from(tf.leakyRelu(tf.tensor1d(values), 0.1).dataSync());
    const expected = values
      .map(Math.fround) // the tensor's float32 values
      .map((v) => (v > 0 ? v : Math.fround(v * 0.1)));
    expect(got).toEqual(expected);
    expect(Object.is(got[2], -0)).toBe(true);
  });

  it.each([
    { shape: [32, 14, 14, 64], alpha: 0.2 },
    { shape: [5, 3], alpha: 0.3 },
  ])("forward matches cpu bit for bit: $shape, alpha $alpha", async ({ shape, alpha }) => {
    const { cpu, wasm } = await onBothBackends(() => [
      tf.leakyRelu(randomTensor(shape, 99), alpha),
    ]);
    expect(wasm[0]).toEqual(cpu[0]);
  });

  it("runs as one kernel on wasm; cpu keeps TF.js's three", async () => {
    const kernelsOfGrad = async () => {
      const x = randomTensor([4, 4], 97);
      const dy = randomTensor([4, 4], 98);
      const names = await kernelNamesOf(() =>
        tf.grad((v: tf.Tensor) => tf.leakyRelu(v, 0.2))(x, dy),
      );
      tf.dispose([x, dy]);
      return names;
    };
    await tf.setBackend("wasm");
    const wasm = await kernelsOfGrad();
    expect(wasm).toContain(LEAKY_RELU_GRAD);
    expect(wasm).not.toContain("Select");
    await tf.setBackend("cpu");
    const cpu = await kernelsOfGrad();
    expect(cpu).not.toContain(LEAKY_RELU_GRAD);
    expect(cpu).toContain("Select");
  });

  it("works out by hand: dy where x > 0, dy * alpha elsewhere (zero and NaN included)", async () => {
    await tf.setBackend("wasm");
    // 7 values: one f32x4 group and a scalar tail of 3
    const x = tf.tensor1d([2, -1, 0, Number.NaN, 3e-38, -5, 0.5]);
    const dy = tf.tensor1d([1.5, 2, 4, 8, -3, 10, -0.25]);
    const alpha = Math.fround(0.2);
    const got = Array.from(gradOf(x, dy, 0.2).dataSync());
    expect(got).toEqual([
      1.5,
      Math.fround(2 * alpha),
      Math.fround(4 * alpha),
      Math.fround(8 * alpha),
      -3,
      Math.fround(10 * alpha),
      -0.25,
    ]);
  });

  it.each([
    { shape: [32, 7, 7, 128], alpha: 0.2 },
    { shape: [3, 5, 5, 3], alpha: 0.01 },
    { shape: [1], alpha: 0.3 },
  ])(
    "matches TF.js's gradient on cpu bit for bit: $shape, alpha $alpha",
    async ({ shape, alpha }) => {
      const { cpu, wasm } = await onBothBackends(() => {
        const x = randomTensor(shape, 95);
        const dy = randomTensor(shape, 96);
        return [gradOf(x, dy, alpha)];
      });
      expect(wasm[0]).toEqual(cpu[0]);
    },
  );
});
