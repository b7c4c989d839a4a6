/**
 * D with a projection head (discriminator.ts, `projection`): the logit gains <e_label, phi(x)>,
 * checked against D without it on the same weights, its gradient reaching only the asked
 * label's row of the embedding, and the spectrally normalised variant.
 */
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";
import { useCpuBackend } from "../test/cpu-backend.ts";
import { buildDiscriminator, type DiscriminatorOptions } from "./discriminator.ts";
import { powerIterate } from "./spectral-norm.ts";

beforeAll(() => useCpuBackend());

const LABELS = [3, 7, 3];
const labels = () => tf.cast(tf.oneHot(tf.tensor1d(LABELS, "int32"), 10), "float32"); // [3, 10]
const images = () => tf.randomUniform([3, 28, 28, 1], -1, 1, "float32", 11); // [3, 28, 28, 1]

/** D without projection and D with it, sharing every weight but d_embed's kernel [10, F]. */
function pair(arch: "dcgan" | "mlp", options: DiscriminatorOptions = {}) {
  const plain = buildDiscriminator(arch, undefined, options);
  const projected = buildDiscriminator(arch, undefined, { ...options, projection: true });
  for (const layer of plain.layers) projected.getLayer(layer.name).setWeights(layer.getWeights());
  return { plain, projected };
}

/** The features d_logit reads: [N, F]. */
function features(d: tfl.LayersModel, x: tf.Tensor, y: tf.Tensor): tf.Tensor2D {
  const phi = d.getLayer("d_logit").input as tfl.SymbolicTensor;
  return tfl.model({ inputs: d.inputs, outputs: phi }).predict([x, y]) as tf.Tensor2D;
}

describe("buildDiscriminator with projection", () => {
  it.each([
    ["dcgan", 6272],
    ["mlp", 128],
  ] as const)("%s: logit = D without projection + <e_label, phi> (F = %i)", (arch, f) => {
    const { plain, projected } = pair(arch);
    const embed = projected.getLayer("d_embed");
    expect(embed.getWeights().map((w) => w.shape)).toEqual([[10, f]]); // no bias
    // e_c = (c + 1) / 100 in every feature: <e_c, phi> = (c + 1) / 100 * sum(phi)
    embed.setWeights([tf.mul(tf.tile(tf.reshape(tf.range(1, 11), [10, 1]), [1, f]), 0.01)]);
    const x = images();
    const y = labels();
    const a = (plain.predict([x, y]) as tf.Tensor).dataSync();
    const b = (projected.predict([x, y]) as tf.Tensor).dataSync();
    const phiSums = tf.sum(features(projected, x, y), 1).dataSync();
    LABELS.forEach((label, i) => {
      const expected = (a[i] as number) + ((label + 1) / 100) * (phiSums[i] as number);
      expect(b[i]).toBeCloseTo(expected, 4);
    });
    expect(Math.abs((b[0] as number) - (a[0] as number))).toBeGreaterThan(1e-3);
  });

  it("with the initial (random) e, changing the label moves the logit by more than the label maps do", () => {
    const { plain, projected } = pair("dcgan");
    const x = images();
    const asked = labels();
    const other = tf.cast(tf.oneHot(tf.tensor1d([0, 0, 0], "int32"), 10), "float32");
    const shift = (d: tfl.LayersModel) =>
      tf.sub(d.predict([x, asked]) as tf.Tensor, d.predict([x, other]) as tf.Tensor).dataSync();
    const plainShift = shift(plain);
    const projectedShift = shift(projected);
    expect(
      Math.max(...projectedShift.map((v, i) => Math.abs(v - (plainShift[i] as number)))),
    ).toBeGreaterThan(1e-5);
  });

  it("the gradient of the logits reaches only the asked labels' rows of e, each the sum of its images' phi", () => {
    const { projected } = pair("mlp");
    const x = images();
    const y = labels();
    const embed = projected.getLayer("d_embed");
    const kernel = embed.trainableWeights[0] as tfl.LayerVariable;
    const { grads } = tf.variableGrads(
      () => tf.sum(projected.apply([x, y], { training: true }) as tf.Tensor) as tf.Scalar,
      [kernel.read() as tf.Variable],
    );
    const grad = Object.values(grads)[0] as tf.Tensor2D; // [10, 128]
    const phi = features(projected, x, y).arraySync();
    const rows = grad.arraySync();
    for (let c = 0; c < 10; c++) {
      const expected = new Array(128).fill(0);
      LABELS.forEach((label, i) => {
        if (label !== c) return;
        phi[i]?.forEach((v, k) => {
          expected[k] += v;
        });
      });
      rows[c]?.forEach((v, k) => {
        expect(v).toBeCloseTo(expected[k] as number, 4);
      });
    }
    expect(rows[3]?.some((v) => Math.abs(v) > 1e-4)).toBe(true);
  });

  it("with spectral normalisation e is divided by its largest singular value, and has no bias", () => {
    const d = buildDiscriminator("mlp", undefined, { spectralNorm: true, projection: true });
    const embed = d.getLayer("d_embed");
    const [, u, v] = embed.getWeights();
    // e_c = (c + 1) / 100 in each of the 128 entries: rank 1, sigma = sqrt(128 * (1^2 + ... + 10^2)) / 100
    const sigma = Math.sqrt(128 * 385) / 100; // 2.2199
    embed.setWeights([
      tf.mul(tf.tile(tf.reshape(tf.range(1, 11), [10, 1]), [1, 128]), 0.01),
      u as tf.Tensor,
      v as tf.Tensor,
    ]);
    expect([u?.shape, v?.shape]).toEqual([[128], [10]]);
    for (let i = 0; i < 3; i++) powerIterate(d); // a rank-1 kernel: exact after one iteration
    const x = images();
    const y = labels();
    const phi = features(d, x, y);
    const unconditional = (d.getLayer("d_logit").apply(phi) as tf.Tensor).dataSync();
    const phiSums = tf.sum(phi, 1).dataSync();
    const got = (d.predict([x, y]) as tf.Tensor).dataSync();
    LABELS.forEach((label, i) => {
      const expected =
        (unconditional[i] as number) + ((label + 1) / 100 / sigma) * (phiSums[i] as number);
      expect(got[i]).toBeCloseTo(expected, 4);
    });
  });
});
