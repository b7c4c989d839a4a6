/**
 * BatchNorm's closed-form training gradient (batch-norm-training.ts) against tf.layers' own
 * BatchNormalization: the same forward bits and moving statistics, the same gradients to float32
 * rounding, against central differences, and in far fewer kernels.
 */
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomTensor, relativeError, setupBackends } from "../test/backend-compare.ts";
import {
  batchNormInTraining,
  closedFormBatchNormEnabled,
  disableClosedFormBatchNorm,
  enableClosedFormBatchNorm,
} from "./batch-norm-training.ts";

/** A built BatchNorm layer with non-trivial gamma and beta, and the same layer's results. */
function layerOf(shape: number[], axis = -1) {
  const channels = shape[axis < 0 ? shape.length + axis : axis] as number;
  const layer = tfl.layers.batchNormalization({ axis, momentum: 0.8, epsilon: 1e-3 });
  layer.apply(tf.zeros(shape)); // build
  const [gamma, beta] = layer.trainableWeights.map((w) => w.read() as tf.Variable);
  gamma?.assign(tf.add(randomTensor([channels], 70), 1.5));
  beta?.assign(randomTensor([channels], 71));
  return { layer, variables: [gamma, beta] as tf.Variable[] };
}

/** One training call's output, gradients (x, gamma, beta) for `dy` and the moving statistics. */
function trainingPass(
  layer: tfl.layers.Layer,
  variables: tf.Variable[],
  x: tf.Tensor,
  dy: tf.Tensor,
) {
  const moving = layer.nonTrainableWeights.map((w) => w.read().clone());
  const loss = (input: tf.Tensor) =>
    tf.sum(tf.mul(layer.apply(input, { training: true }) as tf.Tensor, dy));
  const y = (layer.apply(x, { training: true }) as tf.Tensor).dataSync();
  const stats = layer.nonTrainableWeights.map((w) => w.read().dataSync());
  const restore = () => {
    for (const [i, w] of layer.nonTrainableWeights.entries()) w.write(moving[i] as tf.Tensor);
  };
  restore(); // one update per pass
  const dx = tf.grad(loss)(x).dataSync();
  restore();
  const { grads } = tf.variableGrads(() => loss(x) as tf.Scalar, variables);
  const out = {
    y,
    stats,
    grads: [dx, ...variables.map((v) => (grads[v.name] as tf.Tensor).dataSync())],
  };
  restore();
  tf.dispose([...moving, ...Object.values(grads)]);
  return out;
}

describe("closed-form BatchNorm gradient", () => {
  beforeAll(setupBackends);
  afterAll(enableClosedFormBatchNorm);

  it.each([
    { backend: "cpu", shape: [6, 5, 5, 8] },
    { backend: "wasm", shape: [6, 5, 5, 8] },
    { backend: "cpu", shape: [12, 16] },
  ])(
    "matches tf.layers on $backend, $shape: forward bits, moving statistics, gradients to 1e-6",
    async ({ backend, shape }) => {
      await tf.setBackend(backend);
      const { layer, variables } = layerOf(shape);
      const x = tf.mul(randomTensor(shape, 72), 3);
      const dy = randomTensor(shape, 73);
      disableClosedFormBatchNorm();
      const stock = trainingPass(layer, variables, x, dy);
      enableClosedFormBatchNorm();
      expect(closedFormBatchNormEnabled()).toBe(true);
      const closed = trainingPass(layer, variables, x, dy);
      expect(closed.y).toEqual(stock.y);
      expect(closed.stats).toEqual(stock.stats);
      for (let i = 0; i < 3; i++)
        expect(
          relativeError(stock.grads[i] as Float32Array, closed.grads[i] as Float32Array),
        ).toBeLessThan(1e-6);
      tf.dispose([x, dy, ...variables]);
      await tf.setBackend("wasm");
    },
  );

  it("agrees with central differences of the loss in x", async () => {
    await tf.setBackend("cpu");
    const x = randomTensor([5, 3], 74);
    const gamma = tf.tensor1d([1.5, 0.5, 2]);
    const beta = tf.tensor1d([0.1, -0.2, 0.3]);
    const dy = randomTensor([5, 3], 75);
    const loss = (input: tf.Tensor) => {
      const { y, mean, variance } = batchNormInTraining(input, gamma, beta, 1e-3);
      tf.dispose([mean, variance]);
      return tf.sum(tf.mul(y, dy));
    };
    const analytic = tf.grad(loss)(x).dataSync();
    const values = x.dataSync();
    const h = 1e-2;
    for (let i = 0; i < values.length; i++) {
      const at = (delta: number) => {
        const moved = Float32Array.from(values);
        moved[i] = (moved[i] as number) + delta;
        return tf.tidy(() => loss(tf.tensor(moved, [5, 3])).dataSync()[0] as number);
      };
      expect(analytic[i]).toBeCloseTo((at(h) - at(-h)) / (2 * h), 2);
    }
    tf.dispose([x, gamma, beta, dy]);
    await tf.setBackend("wasm");
  });

  it("differentiates in about half the kernels of tf.layers' gradient, and leaks no tensors", async () => {
    const { layer, variables } = layerOf([4, 3, 3, 8]);
    const x = randomTensor([4, 3, 3, 8], 76);
    /** Kernels (Identity and Reshape aside) one call runs, and the tensors it left behind. */
    const kernelCount = async (fn: () => tf.Tensor) => {
      const before = tf.memory().numTensors;
      const profile = await tf.profile(fn);
      tf.dispose(profile.result as tf.Tensor);
      const leaked = tf.memory().numTensors - before;
      const count = profile.kernels.filter((k) => k.name !== "Identity" && k.name !== "Reshape");
      return { count: count.length, leaked };
    };
    const loss = (input: tf.Tensor) => tf.sum(layer.apply(input, { training: true }) as tf.Tensor);
    /** The gradient's kernels alone: forward and backward, less the forward. */
    const backwardCount = async () => {
      const both = await kernelCount(() => tf.grad(loss)(x));
      expect(both.leaked).toBe(0); // (a training forward outside a gradient leaks one in tf.layers)
      return both.count - (await kernelCount(() => loss(x))).count;
    };
    disableClosedFormBatchNorm();
    const stock = await backwardCount();
    enableClosedFormBatchNorm();
    const closed = await backwardCount();
    expect(closed).toBeGreaterThan(0);
    expect(closed).toBeLessThanOrEqual(stock * 0.6); // measured: 15 against 29 (the loss sum included)
    tf.dispose([x, ...variables]);
  });

  it("leaves inference and a layer normalising another axis to tf.layers", () => {
    const { layer, variables } = layerOf([2, 4, 3], 1);
    const x = randomTensor([2, 4, 3], 77);
    const moving = layer.nonTrainableWeights.map((w) => w.read().clone());
    const run = () => {
      const out = [true, false].map((training) =>
        (layer.apply(x, { training }) as tf.Tensor).dataSync(),
      );
      for (const [i, w] of layer.nonTrainableWeights.entries()) w.write(moving[i] as tf.Tensor);
      return out;
    };
    disableClosedFormBatchNorm();
    const stock = run();
    enableClosedFormBatchNorm();
    expect(run()).toEqual(stock);
    tf.dispose([x, ...variables, ...moving]);
  });
});
