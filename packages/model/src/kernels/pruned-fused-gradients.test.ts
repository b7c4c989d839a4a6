import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import {
  kernelNamesOf,
  randomTensor,
  relativeError,
  setupBackends,
} from "../../test/backend-compare.ts";
import {
  disablePrunedFusedGradients,
  enablePrunedFusedGradients,
  prunedFusedGradientsEnabled,
} from "./pruned-fused-gradients.ts";

/** Loss through a fused conv with bias (as tf.layers Conv2D records it) and its filter gradient. */
function filterGradient(bias: boolean): { loss: Float32Array; grads: Float32Array[] } {
  const x = randomTensor([2, 8, 8, 3], 51) as tf.Tensor4D;
  const w = randomTensor([4, 4, 3, 5], 52) as tf.Tensor4D;
  const b = randomTensor([5], 53);
  const f = (ww: tf.Tensor, bb: tf.Tensor) =>
    tf.sum(
      tf.square(
        tf.fused.conv2d({
          x,
          filter: ww as tf.Tensor4D,
          strides: 2,
          pad: "same",
          ...(bias ? { bias: bb } : {}),
        }),
      ),
    );
  const loss = f(w, b).dataSync() as Float32Array;
  const grads = tf
    .grads(f)([w, b])
    .map((g) => g.dataSync() as Float32Array);
  return { loss, grads };
}

describe("enablePrunedFusedGradients", () => {
  beforeAll(async () => {
    await setupBackends();
    await tf.setBackend("cpu");
  });

  it("keeps values and gradients of fused conv + bias identical", () => {
    disablePrunedFusedGradients();
    const original = tf.fused.conv2d;
    const before = tf.tidy(() => filterGradient(true));
    enablePrunedFusedGradients();
    expect(prunedFusedGradientsEnabled()).toBe(true);
    expect(tf.fused.conv2d).not.toBe(original);
    const after = tf.tidy(() => filterGradient(true));
    expect(relativeError(before.loss, after.loss)).toBeLessThan(1e-6);
    for (let i = 0; i < 2; i++) {
      expect(
        relativeError(before.grads[i] as Float32Array, after.grads[i] as Float32Array),
      ).toBeLessThan(1e-6);
    }
  });

  it("computes no input gradient when only the filter is differentiated", async () => {
    const x = randomTensor([2, 8, 8, 3], 54) as tf.Tensor4D;
    const w = randomTensor([4, 4, 3, 5], 55) as tf.Tensor4D;
    const filterGrad = () =>
      tf.grad((ww: tf.Tensor) =>
        tf.sum(tf.fused.conv2d({ x, filter: ww as tf.Tensor4D, strides: 2, pad: "same" })),
      )(w);
    disablePrunedFusedGradients();
    expect(await kernelNamesOf(filterGrad)).toContain("Conv2DBackpropInput"); // tfjs's fused gradient
    enablePrunedFusedGradients();
    const names = await kernelNamesOf(filterGrad);
    expect(names).toContain("Conv2DBackpropFilter");
    expect(names).not.toContain("Conv2DBackpropInput");
    tf.dispose([x, w]);
  });

  it("keeps values and gradients of a dense layer (fused matMul + bias) identical", () => {
    // as tf.layers Dense records it: x [3, 5] times kernel [5, 4], plus bias [4]
    const x = randomTensor([3, 5], 56);
    const dense = (w: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.square(tf.fused.matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D, bias: b })));
    const w = randomTensor([5, 4], 57);
    const b = randomTensor([4], 58);
    const run = () =>
      tf.tidy(() => [dense(w, b), ...tf.grads(dense)([w, b])].map((t) => t.dataSync()));
    disablePrunedFusedGradients();
    const before = run();
    enablePrunedFusedGradients();
    const after = run();
    for (let i = 0; i < 3; i++) {
      expect(relativeError(before[i] as Float32Array, after[i] as Float32Array)).toBeLessThan(1e-6);
    }
    tf.dispose([x, w, b]);
  });

  it("computes no input gradient of a dense layer when only its kernel is differentiated", async () => {
    const x = randomTensor([3, 5], 59) as tf.Tensor2D;
    const w = randomTensor([5, 4], 60) as tf.Tensor2D;
    const kernelGrad = () =>
      tf.grad((ww: tf.Tensor) => tf.sum(tf.fused.matMul({ a: x, b: ww as tf.Tensor2D })))(w);
    /** Shapes ("rows,cols") of the products one call runs: x's gradient would be 3,5. */
    const productShapes = async () =>
      (await tf.profile(kernelGrad)).kernels
        .filter((k) => k.name.includes("MatMul"))
        .map((k) => (k.outputShapes[0] as number[]).slice(-2).join(","));
    disablePrunedFusedGradients();
    expect(await productShapes()).toContain("3,5"); // tfjs's fused gradient computes it
    enablePrunedFusedGradients();
    const shapes = await productShapes();
    expect(shapes).toContain("5,4"); // the kernel's gradient
    expect(shapes).not.toContain("3,5");
    tf.dispose([x, w]);
  });

  it("is idempotent and leaves non-linear fused convs to tfjs", () => {
    enablePrunedFusedGradients();
    const patched = tf.fused.conv2d;
    enablePrunedFusedGradients();
    expect(tf.fused.conv2d).toBe(patched);
    const y = tf.tidy(() =>
      tf.fused.conv2d({
        x: tf.fill([1, 3, 3, 1], -1) as tf.Tensor4D,
        filter: tf.ones([1, 1, 1, 1]) as tf.Tensor4D,
        strides: 1,
        pad: "same",
        activation: "relu",
      }),
    );
    expect(Array.from(y.dataSync())).toEqual(new Array(9).fill(0));
    y.dispose();
  });
});
