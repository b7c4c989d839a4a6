/**
 * The label-map convolution against the plain formulation it replaces (10 label maps concatenated
 * to the image, then one Conv2D): same weights, same logits and the same gradients (D's weights
 * and the image) to 1e-4, including pixels at the borders where the padding matters.
 */
import { NUM_CLASSES, oneHot } from "@edgegan/shared";
import { createRng } from "@edgegan/shared/rng";
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";
import { useCpuBackend } from "../test/cpu-backend.ts";
import { seededWeights } from "../test/seeded-weights.ts";
import { buildDiscriminator } from "./discriminator.ts";
import { createGan, trainableVariables } from "./train-step.ts";

beforeAll(() => useCpuBackend({ fastConvFilterGrad: true }));

const maxDiff = (a: tf.Tensor, b: tf.Tensor) =>
  tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] as number;

function inputs(n: number, seed: number): [tf.Tensor4D, tf.Tensor2D] {
  const rng = createRng(seed);
  const images = tf.tensor4d(
    Float32Array.from({ length: n * 784 }, () => rng.nextFloat() * 2 - 1),
    [n, 28, 28, 1],
  );
  const classes = Array.from({ length: n }, (_, i) => i % NUM_CLASSES);
  return [images, tf.tensor2d(oneHot(classes), [n, NUM_CLASSES])];
}

/**
 * Both formulations with the same seeded weights (DCGAN init: kernels N(0, 0.02), BatchNorm
 * gamma 1, the rest 0). Seeded, so the comparison is the same on every run: with random weights a
 * pre-activation within float rounding of LeakyReLU's kink now and then takes the other slope in
 * one formulation, a legitimate difference of ~1e-2 in one gradient element.
 */
function pair(): [tfl.LayersModel, tfl.LayersModel] {
  const fast = buildDiscriminator("dcgan", "label-map-conv");
  const plain = buildDiscriminator("dcgan", "concatenated-maps");
  const weights = seededWeights(fast, 11);
  fast.setWeights(weights);
  plain.setWeights(weights);
  tf.dispose(weights);
  return [fast, plain];
}

describe("LabelMapConv2D (D's first convolution without label maps)", () => {
  it("has the plain Conv2D's weights: same shapes, names and order", () => {
    const [fast, plain] = pair();
    expect(fast.weights.map((w) => [w.originalName, w.shape])).toEqual(
      plain.weights.map((w) => [w.originalName, w.shape]),
    );
    expect(fast.getLayer("d_conv0").outputShape).toEqual([null, 14, 14, 64]);
  });

  it("gives the plain formulation's logits and gradients to 1e-4 (every class)", () => {
    const [fast, plain] = pair();
    const [images, labels] = inputs(12, 3);
    const lossOf = (d: tfl.LayersModel, x: tf.Tensor4D) => () =>
      tf.sum(tf.square(d.apply([x, labels], { training: true }) as tf.Tensor)) as tf.Scalar;
    const run = (d: tfl.LayersModel) => {
      const logits = d.apply([images, labels], { training: true }) as tf.Tensor;
      const { grads } = tf.variableGrads(lossOf(d, images), trainableVariables(d));
      const byImage = tf.grad((x: tf.Tensor) => lossOf(d, x as tf.Tensor4D)())(images);
      return {
        logits,
        grads: trainableVariables(d).map((v) => grads[v.name] as tf.Tensor),
        byImage,
      };
    };
    const a = run(fast);
    const b = run(plain);
    expect(maxDiff(a.logits, b.logits)).toBeLessThan(1e-4);
    a.grads.forEach((g, i) => {
      expect(maxDiff(g, b.grads[i] as tf.Tensor)).toBeLessThan(1e-4);
    });
    expect(maxDiff(a.byImage, b.byImage)).toBeLessThan(1e-4);
    // the label part matters (a label-blind layer would fail here)
    const [, otherLabels] = inputs(12, 3).map((t, i) => (i === 1 ? tf.reverse(t, 0) : t));
    const relabelled = fast.apply([images, otherLabels as tf.Tensor2D], { training: true });
    expect(maxDiff(relabelled as tf.Tensor, a.logits)).toBeGreaterThan(1e-3);
  });

  it("is what createGan's DCGAN discriminator uses", () => {
    const gan = createGan({ arch: "dcgan", generatorWidth: 16 });
    expect(gan.discriminator.getLayer("d_conv0").getClassName()).toBe("LabelMapConv2D");
  });
});
