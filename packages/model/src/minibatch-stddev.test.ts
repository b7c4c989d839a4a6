/**
 * The minibatch standard deviation feature (minibatch-stddev.ts) on worked examples, its gradient
 * against central differences, and D built with it: a logit that depends on the rest of the batch.
 */
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";
import { useCpuBackend } from "../test/cpu-backend.ts";
import { seedWeights } from "../test/seeded-weights.ts";
import { buildDiscriminator } from "./discriminator.ts";
import { MinibatchStddev, minibatchStddev, STDDEV_EPSILON } from "./minibatch-stddev.ts";

beforeAll(() => useCpuBackend());

const values = (t: tf.Tensor) => Array.from(t.dataSync());

/** The layer alone on inputs of `shape` (without the batch axis). */
function layerModel(shape: number[]): tfl.LayersModel {
  const input = tfl.input({ shape });
  const output = new MinibatchStddev({ name: "spread" }).apply(input) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: output });
}

describe("minibatchStddev (worked examples)", () => {
  it("two images 1 and 3: mean 2, variance 1, s = 1; the layer appends it to each", () => {
    const x = tf.tensor2d([[1], [3]]); // [N 2, C 1]
    expect(minibatchStddev(x).dataSync()[0]).toBeCloseTo(1, 6);
    const out = layerModel([1]).predict(x) as tf.Tensor;
    expect(out.shape).toEqual([2, 2]);
    expect(values(out)).toEqual([1, 1, 3, 1].map((v) => expect.closeTo(v, 6)));
  });

  it("[2,1,1,2]: feature 0 holds 0 and 4 (std 2), feature 1 holds 2 and 2 (std sqrt(eps)): s = 1.00005", () => {
    const x = tf.tensor4d([0, 2, 4, 2], [2, 1, 1, 2]);
    const s = (2 + Math.sqrt(STDDEV_EPSILON)) / 2;
    expect(minibatchStddev(x).dataSync()[0]).toBeCloseTo(s, 6);
    const out = layerModel([1, 1, 2]).predict(x) as tf.Tensor;
    expect(out.shape).toEqual([2, 1, 1, 3]);
    expect(values(out)).toEqual([0, 2, s, 4, 2, s].map((v) => expect.closeTo(v, 6)));
  });

  it("a batch of identical images: s = sqrt(eps) and finite gradients", () => {
    const x = tf.ones([4, 3, 3, 2]);
    expect(minibatchStddev(x).dataSync()[0]).toBeCloseTo(Math.sqrt(STDDEV_EPSILON), 9);
    const grad = tf.grad((t: tf.Tensor) => minibatchStddev(t))(x);
    expect(values(grad).every(Number.isFinite)).toBe(true);
  });

  it("its gradient matches central differences", () => {
    const x = tf.randomNormal([3, 2, 2, 2], 0, 1, "float32", 5);
    const w = tf.randomNormal([3, 2, 2, 3], 0, 1, "float32", 6);
    const model = layerModel([2, 2, 2]);
    const loss = (t: tf.Tensor) => tf.sum(tf.mul(model.apply(t) as tf.Tensor, w)) as tf.Scalar;
    const analytic = values(tf.grad(loss)(x));
    const base = values(x);
    const h = 1e-2;
    for (const i of [0, 5, 11, 17, 23]) {
      const at = (d: number) => {
        const shifted = base.slice();
        shifted[i] = (shifted[i] as number) + d;
        return loss(tf.tensor(shifted, x.shape)).dataSync()[0] as number;
      };
      expect(analytic[i]).toBeCloseTo((at(h) - at(-h)) / (2 * h), 2);
    }
  });
});

describe("buildDiscriminator with minibatchStddev", () => {
  it.each([
    ["dcgan", [6321, 1]],
    ["mlp", [129, 1]],
  ] as const)("%s: d_logit reads one more feature per position (%j)", (arch, shape) => {
    const d = buildDiscriminator(arch, undefined, { minibatchStddev: true });
    expect(d.getLayer("d_logit").getWeights()[0]?.shape).toEqual(shape);
    expect(buildDiscriminator(arch).layers.map((l) => l.getClassName())).not.toContain(
      "MinibatchStddev",
    );
  });

  it("an image's logit depends on the other images of its batch only with the feature", () => {
    const labels = tf.cast(tf.oneHot(tf.tensor1d([1, 2], "int32"), 10), "float32");
    const first = tf.randomUniform([1, 28, 28, 1], -1, 1, "float32", 3);
    const other = tf.randomUniform([1, 28, 28, 1], -1, 1, "float32", 4);
    // the same first image, beside a different image or beside a copy of itself (no spread)
    const firstLogit = (d: tfl.LayersModel, second: tf.Tensor) =>
      (d.predict([tf.concat([first, second]), labels]) as tf.Tensor).dataSync()[0] as number;
    // inference mode: BatchNorm on its moving statistics, so nothing else couples the images
    const plain = buildDiscriminator("dcgan");
    expect(firstLogit(plain, other)).toBe(firstLogit(plain, first));
    const spread = buildDiscriminator("dcgan", undefined, { minibatchStddev: true });
    seedWeights(spread, 5);
    // make d_logit read the spread channel more (at init it is 49 of 6321 small random weights)
    const [kernel, bias] = spread.getLayer("d_logit").getWeights() as [tf.Tensor, tf.Tensor];
    spread.getLayer("d_logit").setWeights([tf.add(kernel, tf.fill(kernel.shape, 0.05)), bias]);
    expect(Math.abs(firstLogit(spread, other) - firstLogit(spread, first))).toBeGreaterThan(1e-3);
  });
});
