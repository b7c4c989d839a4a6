/**
 * BatchNorm's closed-form gradient kernel (batch-norm-grad.ts): its SIMD passes against its
 * JavaScript loops bit for bit, and against the same formula in TF.js ops on the cpu backend.
 */
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { randomTensor, relativeError, setupBackends } from "../../test/backend-compare.ts";
import { closedFormGradientsInOps } from "../batch-norm-training.ts";
import {
  BATCH_NORM_GRAD,
  type BatchNormGradArrays,
  centringVectors,
  combiningVectors,
  dxScalar,
  sumsScalar,
} from "./batch-norm-grad.ts";

const EPSILON = 1e-3;

/** Seeded inputs of one shape: dy and x, and x's batch mean and variance with a gamma. */
function inputsOf(shape: number[]) {
  const c = shape[shape.length - 1] as number;
  const axes = shape.slice(0, -1).map((_, i) => i);
  const x = tf.add(tf.mul(randomTensor(shape, 80), 2), 0.5);
  const { mean, variance } = tf.moments(x, axes);
  return {
    dy: randomTensor(shape, 81),
    x,
    mean,
    variance,
    gamma: tf.add(randomTensor([c], 82), 1.2),
  };
}

/** The kernel's three outputs on wasm. */
function kernelOutputs(inputs: ReturnType<typeof inputsOf>): Float32Array[] {
  const outs = tf
    .engine()
    .runKernel(BATCH_NORM_GRAD, inputs, { epsilon: EPSILON }) as unknown as tf.Tensor[];
  const values = outs.map((t) => t.dataSync() as Float32Array);
  tf.dispose(outs);
  return values;
}

/** The JavaScript loops alone on the same values: dx, dgamma, dbeta. */
function scalarOutputs(inputs: ReturnType<typeof inputsOf>, c: number): Float32Array[] {
  const n = inputs.x.size;
  const a: BatchNormGradArrays = {
    x: inputs.x.dataSync() as Float32Array,
    dy: inputs.dy.dataSync() as Float32Array,
    sumDy: new Float32Array(c),
    sumDyXHat: new Float32Array(c),
    vectors: new Float32Array(5 * c),
    dx: new Float32Array(n),
  };
  const stats = {
    mean: inputs.mean.dataSync() as Float32Array,
    variance: inputs.variance.dataSync() as Float32Array,
  };
  centringVectors(a.vectors, stats, EPSILON, c);
  sumsScalar(a, n / c, c);
  combiningVectors(a, inputs.gamma.dataSync() as Float32Array, n / c, c);
  dxScalar(a, n / c, c);
  return [a.dx, a.sumDyXHat, a.sumDy];
}

/** The same closed form in TF.js ops, on the active backend. */
function opsOutputs(inputs: ReturnType<typeof inputsOf>): Float32Array[] {
  return tf.tidy(() =>
    closedFormGradientsInOps(inputs, EPSILON).map((t) => t.dataSync() as Float32Array),
  );
}

describe("BatchNorm gradient kernel on wasm", () => {
  beforeAll(setupBackends);

  it.each([
    [6, 7, 7, 8],
    [4, 3, 3, 6],
    [5, 12],
  ])("%j: SIMD passes give the JavaScript loops' bits", async (...shape) => {
    await tf.setBackend("wasm");
    const inputs = inputsOf(shape);
    const c = shape[shape.length - 1] as number;
    const kernel = kernelOutputs(inputs);
    const loops = scalarOutputs(inputs, c);
    for (let i = 0; i < 3; i++) expect(kernel[i]).toEqual(loops[i]);
    tf.dispose(Object.values(inputs));
  });

  it.each([
    [8, 14, 14, 64],
    [16, 6272],
  ])("%j: matches the formula in TF.js ops on cpu to 1e-5", async (...shape) => {
    await tf.setBackend("wasm");
    const inputs = inputsOf(shape);
    const kernel = kernelOutputs(inputs);
    const values = Object.fromEntries(
      Object.entries(inputs).map(([k, t]) => [k, { data: t.dataSync().slice(), shape: t.shape }]),
    );
    await tf.setBackend("cpu");
    const onCpu = Object.fromEntries(
      Object.entries(values).map(([k, v]) => [k, tf.tensor(v.data, v.shape)]),
    ) as unknown as ReturnType<typeof inputsOf>;
    const reference = opsOutputs(onCpu);
    for (let i = 0; i < 3; i++)
      expect(relativeError(reference[i] as Float32Array, kernel[i] as Float32Array)).toBeLessThan(
        1e-5,
      );
    tf.dispose(Object.values(onCpu));
    await tf.setBackend("wasm");
    tf.dispose(Object.values(inputs));
  });
});
