/**
 * Spectral normalisation (spectral-norm.ts) on worked examples: power iteration on a matrix whose
 * singular values are known, the gradient of the paper's formulation (u and v constant), the
 * convolution form against a plain convolution, and D built with it.
 */
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";
import { useCpuBackend } from "../test/cpu-backend.ts";
import { buildDiscriminator } from "./discriminator.ts";
import { powerIterate, type SpectralNorm, spectralNorms } from "./spectral-norm.ts";
import { SpectralNormConv2D, SpectralNormDense } from "./spectral-norm-layers.ts";

beforeAll(() => useCpuBackend());

/** A one-layer model around `layer` on inputs of `shape` (without the batch axis). */
function oneLayer(layer: tfl.layers.Layer, shape: number[]): tfl.LayersModel {
  const input = tfl.input({ shape });
  return tfl.model({ inputs: input, outputs: layer.apply(input) as tfl.SymbolicTensor });
}

const values = (t: tf.Tensor) => Array.from(t.dataSync());
const sigmaOf = (norm: SpectralNorm) => tf.tidy(() => norm.sigma().dataSync()[0] as number);

// W [n_in 3, n_out 2] = [[1, 1], [1, 1], [1, -1]]: W^T W = [[3, 1], [1, 3]], eigenvalues 4 and 2,
// so the singular values are 2 and sqrt(2), the top right-singular vector (1, 1) / sqrt(2)
const W = [
  [1, 1],
  [1, 1],
  [1, -1],
];

/** The dense layer with kernel W, bias 0, u = (1, 0) and v = (1, 0, 0). */
function denseWithW(): { model: tfl.LayersModel; norm: SpectralNorm } {
  const model = oneLayer(new SpectralNormDense({ name: "sn_dense", units: 2 }), [3]);
  model.setWeights([
    tf.tensor2d(W),
    tf.zeros([2]),
    tf.tensor1d([1, 0]), // u
    tf.tensor1d([1, 0, 0]), // v
  ]);
  const [norm] = spectralNorms(model);
  return { model, norm: norm as SpectralNorm };
}

describe("spectral normalisation (worked example: singular values 2 and sqrt 2)", () => {
  it("one power iteration from u = (1, 0): v = (1,1,1)/sqrt 3, u = (3,1)/sqrt 10, sigma = sqrt(10/3); then it converges to 2", () => {
    const { model, norm } = denseWithW();
    powerIterate(model);
    // v = normalise(W u) = normalise(1, 1, 1); u = normalise(W^T v) = normalise(3, 1) / sqrt 3
    expect(values(norm.v.read())).toEqual([1, 1, 1].map(() => expect.closeTo(1 / Math.sqrt(3), 6)));
    const u = values(norm.u.read());
    expect(u[0]).toBeCloseTo(3 / Math.sqrt(10), 6);
    expect(u[1]).toBeCloseTo(1 / Math.sqrt(10), 6);
    expect(sigmaOf(norm)).toBeCloseTo(Math.sqrt(10 / 3), 5); // 1.8257, under the true 2
    // the layer computes with W / sigma: on the unit vectors its outputs are W's rows / sigma
    const rows = model.predict(tf.eye(3)) as tf.Tensor;
    expect(values(rows)).toEqual(W.flat().map((w) => expect.closeTo(w / Math.sqrt(10 / 3), 6)));
    // each iteration shrinks the error by (sqrt 2 / 2)^2 = 1/2: 30 more give 2 to ~1e-8
    for (let i = 0; i < 30; i++) powerIterate(model);
    expect(sigmaOf(norm)).toBeCloseTo(2, 6);
    const [u0, u1] = values(norm.u.read());
    expect(u0).toBeCloseTo(Math.SQRT1_2, 4);
    expect(u1).toBeCloseTo(Math.SQRT1_2, 4);
    // the normalised kernel W / 2 has top singular value 1: (W/2)^T (W/2) = [[3, 1], [1, 3]] / 4
    const wn = values(model.predict(tf.eye(3)) as tf.Tensor);
    const col = (j: number) => [wn[j], wn[2 + j], wn[4 + j]] as number[];
    const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * (b[i] as number), 0);
    const [a, b, c] = [dot(col(0), col(0)), dot(col(0), col(1)), dot(col(1), col(1))];
    const top = (a + c) / 2 + Math.sqrt(((a - c) / 2) ** 2 + b * b);
    expect(Math.sqrt(top)).toBeCloseTo(1, 5);
  });

  it("the gradient reaches W through sigma with u and v held constant: dL/dW = (G - <G, W/sigma> v u^T) / sigma", () => {
    const { model, norm } = denseWithW();
    powerIterate(model);
    const u = values(norm.u.read());
    const v = values(norm.v.read());
    const sigma = sigmaOf(norm);
    // L = sum(G * layer(I)) = <G, W / sigma>: G is dL/d(W/sigma)
    const G = [
      [1, 2],
      [3, 4],
      [5, 6],
    ];
    const kernel = model.trainableWeights[0]?.read() as tf.Variable;
    const { grads } = tf.variableGrads(
      () => tf.sum(tf.mul(model.apply(tf.eye(3)) as tf.Tensor, tf.tensor2d(G))) as tf.Scalar,
      [kernel],
    );
    const inner = G.flat().reduce((s, g, i) => s + (g * (W.flat()[i] as number)) / sigma, 0);
    const expected = G.map((row, i) =>
      row.map((g, j) => (g - inner * (v[i] as number) * (u[j] as number)) / sigma),
    );
    expect(values(grads[kernel.name] as tf.Tensor)).toEqual(
      expected.flat().map((x) => expect.closeTo(x, 5)),
    );
    // the forward pass iterates nothing: u and v stay as the step's iteration left them
    expect(values(norm.u.read())).toEqual(u);
    expect(values(norm.v.read())).toEqual(v);
    // and they are not trained: kernel and bias only
    expect(model.trainableWeights.map((w) => w.originalName)).toEqual([
      "sn_dense/kernel",
      "sn_dense/bias",
    ]);
  });

  it("the convolution form: W [kh, kw, c_in, c_out] as a [kh*kw*c_in, c_out] matrix, the output a plain conv with W / sigma", () => {
    const model = oneLayer(
      new SpectralNormConv2D({ name: "sn_conv", filters: 3, kernelSize: 4, strides: 2 }),
      [6, 6, 2],
    );
    // a seeded kernel: TF.js's initialiser is unseeded, and a draw whose top two singular values
    // lie close leaves 100 float32 iterations short of 1e-6 (CI met one)
    const [, ...rest] = model.getWeights();
    model.setWeights([tf.randomNormal([4, 4, 2, 3], 0, 0.2, "float32", 11), ...rest]);
    const [norm] = spectralNorms(model) as [SpectralNorm];
    expect(norm.u.shape).toEqual([3]);
    expect(norm.v.shape).toEqual([4 * 4 * 2]);
    for (let i = 0; i < 100; i++) powerIterate(model);
    // the top singular value, found independently: power iteration on W^T W [3, 3] in doubles
    const [kernel, bias] = model.getWeights() as [tf.Tensor4D, tf.Tensor1D];
    const w = values(kernel); // row-major [32, 3]
    const gram = [0, 1, 2].map((i) =>
      [0, 1, 2].map((j) => {
        let s = 0;
        for (let r = 0; r < 32; r++) s += (w[r * 3 + i] as number) * (w[r * 3 + j] as number);
        return s;
      }),
    );
    let x = [1, 0.5, 0.25];
    let lambda = 0;
    for (let k = 0; k < 500; k++) {
      const y = gram.map((row) => row.reduce((s, g, j) => s + g * (x[j] as number), 0));
      lambda = Math.hypot(...y);
      x = y.map((e) => e / lambda);
    }
    expect(sigmaOf(norm)).toBeCloseTo(Math.sqrt(lambda), 5);
    const input = tf.randomNormal([2, 6, 6, 2], 0, 1, "float32", 3) as tf.Tensor4D;
    const plain = tf.add(
      tf.conv2d(input, tf.div(kernel, Math.sqrt(lambda)) as tf.Tensor4D, 2, "same"),
      bias,
    );
    const out = model.predict(input) as tf.Tensor;
    expect(out.shape).toEqual([2, 3, 3, 3]);
    expect(tf.max(tf.abs(tf.sub(out, plain))).dataSync()[0]).toBeLessThan(1e-6);
  });
});

describe("D with --spectral-norm", () => {
  it.each(["dcgan", "mlp"] as const)(
    "%s: every conv and dense kernel normalised, u and v non-trainable, no BatchNorm",
    (arch) => {
      const d = buildDiscriminator(arch, undefined, { spectralNorm: true });
      const kernels =
        arch === "dcgan"
          ? ["d_conv0", "d_conv1", "d_logit"]
          : ["d_dense0", "d_dense1", "d_dense2", "d_logit"];
      expect(spectralNorms(d)).toHaveLength(kernels.length);
      expect(d.layers.some((l) => l.getClassName() === "BatchNormalization")).toBe(false);
      expect(d.trainableWeights.map((w) => w.originalName)).toEqual(
        kernels.flatMap((k) => [`${k}/kernel`, `${k}/bias`]),
      );
      expect(d.nonTrainableWeights.map((w) => w.originalName)).toEqual(
        kernels.flatMap((k) => [`${k}/sn_u`, `${k}/sn_v`]),
      );
      // unit vectors from the start
      for (const norm of spectralNorms(d)) {
        expect(tf.norm(norm.u.read()).dataSync()[0]).toBeCloseTo(1, 5);
        expect(tf.norm(norm.v.read()).dataSync()[0]).toBeCloseTo(1, 5);
      }
      // without the option, D is as before: BatchNorm in the DCGAN, no vectors
      const plain = buildDiscriminator(arch);
      expect(spectralNorms(plain)).toHaveLength(0);
      expect(plain.nonTrainableWeights.every((w) => w.originalName.includes("bn"))).toBe(true);
    },
  );

  it("the label-map convolution normalises the whole [4, 4, 11, 64] kernel: the same logits as the concatenated maps", () => {
    const fast = buildDiscriminator("dcgan", "label-map-conv", { spectralNorm: true });
    const plain = buildDiscriminator("dcgan", "concatenated-maps", { spectralNorm: true });
    plain.setWeights(fast.getWeights());
    powerIterate(fast);
    powerIterate(plain);
    const image = tf.randomUniform([3, 28, 28, 1], -1, 1, "float32", 4);
    const label = tf.cast(tf.oneHot(tf.tensor1d([0, 4, 9], "int32"), 10), "float32");
    const a = fast.predict([image, label]) as tf.Tensor;
    const b = plain.predict([image, label]) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeLessThan(1e-5);
    for (const [x, y] of spectralNorms(fast).map((n, i) => [n, spectralNorms(plain)[i]] as const))
      expect(values(x.u.read())).toEqual(values((y as SpectralNorm).u.read()));
  });
});
