import { ARCHITECTURES, LATENT_SIZE, NUM_CLASSES, oneHot } from "@edgegan/shared";
import { DEFAULT_GAN_SETTINGS } from "@edgegan/shared/train-config";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { useCpuBackend } from "../test/cpu-backend.ts";
import { buildDiscriminator } from "./discriminator.ts";
import { buildGenerator } from "./generator.ts";

beforeAll(() => useCpuBackend());

describe.each(ARCHITECTURES)("builders (%s)", (arch) => {
  it("generator maps [N,100] + [N,10] to [N,28,28,1] in [-1,1]", () => {
    const g = buildGenerator(arch);
    const z = tf.randomNormal([3, LATENT_SIZE]);
    const label = tf.tensor2d(oneHot([0, 4, 9]), [3, NUM_CLASSES]);
    const out = g.predict([z, label]) as tf.Tensor;
    expect(out.shape).toEqual([3, 28, 28, 1]);
    const values = out.dataSync();
    expect(Math.max(...values)).toBeLessThanOrEqual(1);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(-1);
    // Not constant: the weights were initialised and the layers are connected.
    expect(Math.max(...values) - Math.min(...values)).toBeGreaterThan(0);
    tf.dispose([z, label, out]);
    g.dispose();
  });

  it("generator output depends on the label", () => {
    const g = buildGenerator(arch);
    const z = tf.randomNormal([1, LATENT_SIZE]);
    const a = g.predict([z, tf.tensor2d(oneHot([1]), [1, NUM_CLASSES])]) as tf.Tensor;
    const b = g.predict([z, tf.tensor2d(oneHot([7]), [1, NUM_CLASSES])]) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeGreaterThan(0);
    g.dispose();
  });

  it("discriminator maps [N,28,28,1] + [N,10] to logits [N,1] that depend on the label", () => {
    const d = buildDiscriminator(arch);
    const image = tf.randomUniform([2, 28, 28, 1], -1, 1);
    const l1 = tf.tensor2d(oneHot([2, 2]), [2, NUM_CLASSES]);
    const l2 = tf.tensor2d(oneHot([5, 5]), [2, NUM_CLASSES]);
    const a = d.predict([image, l1]) as tf.Tensor;
    const b = d.predict([image, l2]) as tf.Tensor;
    expect(a.shape).toEqual([2, 1]);
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeGreaterThan(0);
    d.dispose();
  });

  it("uses no Embedding layer (the wasm backend cannot train it)", () => {
    const names = [...buildGenerator(arch).layers, ...buildDiscriminator(arch).layers].map((l) =>
      l.getClassName(),
    );
    expect(names).not.toContain("Embedding");
  });
});

describe("builders (dcgan specifics)", () => {
  it("has BatchNorm after the dense and first transposed conv, and kernels ~ N(0, 0.02)", () => {
    const g = buildGenerator("dcgan");
    const classes = g.layers.map((l) => l.getClassName());
    expect(classes.filter((c) => c === "BatchNormalization")).toHaveLength(2);
    expect(classes.filter((c) => c === "Conv2DTranspose")).toHaveLength(2);
    const kernel = g.getLayer("g_dense").getWeights()[0] as tf.Tensor;
    const { variance } = tf.moments(kernel);
    expect(Math.sqrt(variance.dataSync()[0] as number)).toBeCloseTo(0.02, 2);
    g.dispose();
  });
});

it("rejects an unknown architecture with the accepted names", () => {
  expect(() => buildGenerator("resnet" as never)).toThrow(/accepted: dcgan, mlp/);
  expect(() => buildDiscriminator("resnet" as never)).toThrow(/accepted: dcgan, mlp/);
});

it("takes the generator's default width and its bounds from the shared settings schema", () => {
  const g = buildGenerator("dcgan");
  // the dense layer feeds the 7x7 map: [110, 7 * 7 * width]
  const kernel = g.getLayer("g_dense").getWeights()[0] as tf.Tensor;
  expect(kernel.shape).toEqual([
    LATENT_SIZE + NUM_CLASSES,
    7 * 7 * DEFAULT_GAN_SETTINGS.generatorWidth,
  ]);
  g.dispose();
  expect(() => buildGenerator("dcgan", 63)).toThrow(/generatorWidth 63: must be even/);
  expect(() => buildGenerator("dcgan", 6)).toThrow(/generatorWidth 6: .*>=8/);
  expect(() => buildGenerator("dcgan", 514)).toThrow(/generatorWidth 514: .*<=512/);
});
