/**
 * The fused Adam (fused-adam.ts, kernels/adam.ts) against TF.js's own Adam, bit for bit: on the
 * cpu backend (the reference) and on wasm's stock kernels, over steps with a changing rate; by
 * hand on a first step; and its state read back and restored as TF.js's.
 */
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { kernelNamesOf, randomTensor, setupBackends } from "../test/backend-compare.ts";
import { FusedAdamOptimizer } from "./fused-adam.ts";
import { ADAM_UPDATE } from "./kernels/adam.ts";
import { named } from "./train-step.ts";

/** Sizes: a lone bias, a scalar tail of 3 after one f32x4 group, many groups and a tail. */
const SHAPES = [[1], [7], [33, 131]];

/**
 * `steps` updates of three variables with seeded gradients and the rate changing every step,
 * by `optimizer`; returns each variable's values and moments after them (as getWeights lists).
 */
async function train(optimizer: tf.AdamOptimizer, steps: number): Promise<Float32Array[]> {
  const variables = SHAPES.map((s, i) =>
    tf.variable(randomTensor(s, 10 + i), true, `w${i}_${steps}`),
  );
  for (let step = 0; step < steps; step++) {
    (optimizer as unknown as { learningRate: number }).learningRate = 2e-4 * (1 - step / 10);
    const grads: tf.NamedTensorMap = {};
    variables.forEach((v, i) => {
      grads[v.name] = tf.mul(randomTensor(v.shape, 100 * step + i), 10 ** (i - 1)); // scales 0.1-10
    });
    optimizer.applyGradients(named(grads));
    tf.dispose(Object.values(grads));
  }
  const moments = (await optimizer.getWeights()).slice(1).map((w) => w.tensor.dataSync());
  const out = [...variables.map((v) => v.dataSync() as Float32Array), ...moments] as Float32Array[];
  tf.dispose(variables);
  optimizer.dispose();
  return out;
}

describe("FusedAdamOptimizer", () => {
  beforeAll(setupBackends);

  it("gives TF.js's Adam on cpu the same bits on wasm, over 4 steps with a changing rate", async () => {
    await tf.setBackend("cpu");
    const reference = await train(tf.train.adam(2e-4, 0.5), 4);
    await tf.setBackend("wasm");
    const fused = await train(new FusedAdamOptimizer(2e-4, 0.5), 4);
    const stockWasm = await train(tf.train.adam(2e-4, 0.5), 4);
    expect(fused).toHaveLength(9); // 3 values, 3 first and 3 second moments
    for (let i = 0; i < fused.length; i++) {
      expect(fused[i]).toEqual(reference[i]);
      expect(stockWasm[i]).toEqual(reference[i]);
    }
  });

  it("first step by hand: each weight moves by lr against its gradient's sign; zero stays", async () => {
    await tf.setBackend("wasm");
    // m' = g / 2, v' = g^2 / 1000: bias-corrected they are g and g^2, so the step is
    // g / (|g| + 1e-7) * lr, i.e. lr to float32 precision; a zero gradient moves nothing
    const w = tf.variable(tf.tensor1d([1, 1, 1, 1, 1]), true, "by_hand");
    const adam = new FusedAdamOptimizer(0.01, 0.5);
    const g = tf.tensor1d([3, -0.5, 0, 1e-3, -20]);
    adam.applyGradients(named({ by_hand: g }));
    const got = Array.from(w.dataSync());
    const expected = [0.99, 1.01, 1, 0.99, 1.01];
    for (const [i, x] of got.entries()) expect(x).toBeCloseTo(expected[i] as number, 5);
    expect(got[2]).toBe(1);
    const [, m, v] = await adam.getWeights();
    expect(Array.from(m?.tensor.dataSync() ?? [])).toEqual(
      [1.5, -0.25, 0, 5e-4, -10].map(Math.fround),
    );
    expect(v?.tensor.dataSync()[0]).toBeCloseTo(0.009, 8);
    tf.dispose([w, g]);
    adam.dispose();
  });

  it("runs one kernel per variable on wasm; TF.js's kernels on cpu", async () => {
    const kernelNames = async () => {
      const w = tf.variable(randomTensor([9], 5), true, `k_${tf.getBackend()}`);
      const g = randomTensor([9], 6);
      const adam = new FusedAdamOptimizer(1e-3, 0.5);
      const names = await kernelNamesOf(() => adam.applyGradients(named({ [w.name]: g })));
      tf.dispose([w, g]);
      adam.dispose();
      return names;
    };
    await tf.setBackend("wasm");
    const wasm = await kernelNames();
    expect(wasm).toContain(ADAM_UPDATE);
    expect(wasm).not.toContain("Sqrt");
    await tf.setBackend("cpu");
    const cpu = await kernelNames();
    expect(cpu).not.toContain(ADAM_UPDATE);
    expect(cpu).toContain("Sqrt");
    await tf.setBackend("wasm");
  });

  it("keeps TF.js's state: weights saved by the fused optimiser restore into TF.js's", async () => {
    await tf.setBackend("wasm");
    const w = tf.variable(randomTensor([6], 7), true, "saved");
    const fused = new FusedAdamOptimizer(1e-3, 0.5);
    const g = randomTensor([6], 8);
    fused.applyGradients(named({ saved: g }));
    fused.applyGradients(named({ saved: g }));
    const saved = await fused.getWeights();
    expect(saved.map((s) => s.name)).toEqual(["iter", "saved/m", "saved/v"]);
    const stock = tf.train.adam(1e-3, 0.5);
    await stock.setWeights(saved);
    expect(stock.iterations).toBe(2);
    const restored = await stock.getWeights();
    for (let i = 0; i < 3; i++)
      expect(restored[i]?.tensor.dataSync()).toEqual(saved[i]?.tensor.dataSync());
    tf.dispose([w, g]);
    fused.dispose();
    stock.dispose();
  });
});
