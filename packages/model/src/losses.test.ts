import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { useCpuBackend } from "../test/cpu-backend.ts";
import {
  adversarialLosses,
  discriminatorLoss,
  distillationLoss,
  generatorLoss,
  hingeDiscriminatorLoss,
  hingeGeneratorLoss,
  sigmoidCrossEntropyWithLogits,
} from "./losses.ts";

beforeAll(() => useCpuBackend());

/** The logit whose sigmoid is p. */
const logit = (p: number) => Math.log(p / (1 - p));
const value = (t: tf.Scalar) => t.dataSync()[0] as number;

describe("losses", () => {
  it("distillation: student 0.5 and -1 against teacher 0.25 and -0.5 is (0.25 + 0.5) / 2 = 0.375", () => {
    const loss = distillationLoss(tf.tensor1d([0.5, -1]), tf.tensor1d([0.25, -0.5]));
    expect(value(loss)).toBeCloseTo(0.375, 6);
  });

  it("L_D with D(x)=0.9, D(G(z))=0.2 is -ln 0.9 - ln 0.8 = 0.3285", () => {
    const loss = discriminatorLoss(tf.tensor2d([[logit(0.9)]]), tf.tensor2d([[logit(0.2)]]));
    expect(value(loss)).toBeCloseTo(0.3285, 4);
  });

  it("hinge L_D with real logits 2, 0.5 and fake -0.5, 1 is (0 + 0.5)/2 + (0.5 + 2)/2 = 1.5", () => {
    const real = tf.tensor2d([[2], [0.5]]);
    const fake = tf.tensor2d([[-0.5], [1]]);
    expect(value(hingeDiscriminatorLoss(real, fake))).toBeCloseTo(1.5, 6);
    // beyond the margins (real >= 1, fake <= -1) D is not pushed: loss 0, gradient 0
    const confident = tf.tensor2d([[3]]);
    expect(value(hingeDiscriminatorLoss(confident, tf.tensor2d([[-4]])))).toBeCloseTo(0, 12);
    const grad = tf.grad((x: tf.Tensor) => hingeDiscriminatorLoss(x, tf.tensor2d([[-4]])))(
      confident,
    );
    expect(grad.dataSync()[0]).toBeCloseTo(0, 12);
  });

  it("hinge L_G with fake logits -0.5, 1 is -(-0.5 + 1)/2 = -0.25", () => {
    expect(value(hingeGeneratorLoss(tf.tensor2d([[-0.5], [1]])))).toBeCloseTo(-0.25, 6);
  });

  it("adversarialLosses picks the pair: bce keeps its real target, hinge ignores it", () => {
    const real = tf.tensor2d([[logit(0.9)]]);
    const fake = tf.tensor2d([[logit(0.2)]]);
    const bce = adversarialLosses("bce", 1);
    expect(value(bce.discriminator(real, fake))).toBeCloseTo(0.3285, 4);
    expect(value(adversarialLosses("bce", 0.9).discriminator(real, fake))).toBeCloseTo(
      value(discriminatorLoss(real, fake, { realTarget: 0.9 })),
      6,
    );
    const hinge = adversarialLosses("hinge", 0.9);
    expect(value(hinge.discriminator(real, fake))).toBeCloseTo(
      Math.max(0, 1 - logit(0.9)) + Math.max(0, 1 + logit(0.2)),
      6,
    );
    expect(value(hinge.generator(fake))).toBeCloseTo(-logit(0.2), 6);
  });

  it("L_G with D(G(z))=0.7 is -ln 0.7 = 0.3567", () => {
    expect(value(generatorLoss(tf.tensor2d([[logit(0.7)]])))).toBeCloseTo(0.3567, 4);
  });

  it("averages over the batch", () => {
    const fake = tf.tensor2d([[logit(0.7)], [logit(0.5)]]);
    expect(value(generatorLoss(fake))).toBeCloseTo((-Math.log(0.7) - Math.log(0.5)) / 2, 5);
  });

  it("one-sided smoothing changes only the real term: -0.9 ln 0.9 - 0.1 ln 0.1 - ln 0.8", () => {
    const loss = discriminatorLoss(tf.tensor2d([[logit(0.9)]]), tf.tensor2d([[logit(0.2)]]), {
      realTarget: 0.9,
    });
    const expected = -0.9 * Math.log(0.9) - 0.1 * Math.log(0.1) - Math.log(0.8);
    expect(value(loss)).toBeCloseTo(expected, 4);
  });

  it("stays finite (with finite gradients) at logits of +-100", () => {
    const extreme = tf.tensor2d([[100], [-100]]);
    const dLoss = value(discriminatorLoss(extreme, extreme));
    const gLoss = value(generatorLoss(extreme));
    expect(Number.isFinite(dLoss)).toBe(true);
    expect(Number.isFinite(gLoss)).toBe(true);
    // Logit -100 against target 1 costs ~100 (not Infinity); +100 against target 1 costs ~0.
    expect(gLoss).toBeCloseTo(50, 3);
    const grad = tf.grad((x: tf.Tensor) => generatorLoss(x))(extreme);
    expect(Array.from(grad.dataSync()).every(Number.isFinite)).toBe(true);
  });

  it("rejects a target outside [0, 1]", () => {
    expect(() => sigmoidCrossEntropyWithLogits(tf.scalar(0), 1.5)).toThrow(
      /target must be in \[0, 1\]/,
    );
  });
});
