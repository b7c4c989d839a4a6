import { ARCHITECTURES, LATENT_SIZE, NUM_CLASSES, oneHot } from "@edgegan/shared";
import { createRng } from "@edgegan/shared/rng";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { useCpuBackend } from "../test/cpu-backend.ts";
import { seedWeights } from "../test/seeded-weights.ts";
import { batchTensors, disposeStepTensors, type GanBatch } from "./batch.ts";
import { drawAugmentations } from "./diff-augment.ts";
import { exportGeneratorToOnnx } from "./export-onnx.ts";
import {
  fastConv2DBackpropFilter,
  stockConvFilterGrad,
} from "./kernels/cpu-conv2d-backprop-filter.ts";
import { adamRate } from "./lr-schedule.ts";
import { checkOnnxParity } from "./onnx-parity.ts";
import { spectralNorms } from "./spectral-norm.ts";
import { textbookStep } from "./textbook-step.ts";
import { createGan, trainStep, withFrozenBatchNormStats } from "./train-step.ts";

beforeAll(() => useCpuBackend({ fastConvFilterGrad: true }));

describe("test helper: fast cpu Conv2DBackpropFilter", () => {
  it.each([
    { x: [2, 28, 28, 11], f: [4, 4, 11, 8], s: 2, pad: "same" },
    { x: [1, 7, 9, 5], f: [3, 2, 5, 4], s: 1, pad: "valid" },
    { x: [2, 14, 14, 6], f: [4, 4, 6, 3], s: 2, pad: "valid" },
  ] as const)(
    "matches the stock cpu kernel for x $x filter $f stride $s $pad",
    ({ x, f, s, pad }) => {
      const xs = tf.randomNormal([...x], 0, 1, "float32", 1);
      const out = tf.conv2d(xs as tf.Tensor4D, tf.zeros([...f]) as tf.Tensor4D, s, pad);
      const dy = tf.randomNormal(out.shape, 0, 1, "float32", 2);
      const backend = tf.backend() as never;
      const args = {
        inputs: { x: xs, dy },
        backend,
        attrs: {
          strides: [s, s],
          pad,
          dataFormat: "NHWC",
          dimRoundingMode: undefined,
          filterShape: [...f],
        },
      } as never;
      const fast = tf.engine().makeTensorFromTensorInfo(fastConv2DBackpropFilter(args));
      const stock = tf
        .engine()
        .makeTensorFromTensorInfo(stockConvFilterGrad?.(args) as tf.TensorInfo);
      expect(fast.shape).toEqual([...f]);
      expect(tf.max(tf.abs(tf.sub(fast, stock))).dataSync()[0]).toBeLessThan(1e-4);
    },
  );
});

const BATCH = 4;

/**
 * A tiny fixed "dataset": class k is a bright horizontal bar at row 3k+1 on a dark background,
 * so real images are easy to tell from the generator's initial near-zero output.
 */
/** DiffAugment's parameters for the real images and the fakes of a {@link fixedBatch}. */
function augmentations(seed: number): { realAugment: Float32Array; fakeAugment: Float32Array } {
  const rng = createRng(seed);
  return { realAugment: drawAugmentations(BATCH, rng), fakeAugment: drawAugmentations(BATCH, rng) };
}

function fixedBatch(seed: number): GanBatch {
  const classes = Array.from({ length: BATCH }, (_, i) => (i * 3) % NUM_CLASSES);
  const pixels = new Float32Array(BATCH * 28 * 28).fill(-1);
  classes.forEach((k, i) => {
    for (let x = 0; x < 28; x++) pixels[i * 784 + (3 * k + 1) * 28 + x] = 1;
  });
  return {
    images: pixels, // [4, 28, 28, 1]
    labels: oneHot(classes), // [4, 10]
    z: tf.tidy(
      () => tf.randomNormal([BATCH, LATENT_SIZE], 0, 1, "float32", seed).dataSync() as Float32Array,
    ), // [4, 100]
    fakeLabels: oneHot(classes.map((k) => (k + 1) % NUM_CLASSES)), // [4, 10]
  };
}

describe.each(ARCHITECTURES)("trainStep (%s)", (arch) => {
  it("leaks no tensors and lowers the discriminator loss over a few steps", () => {
    const gan = createGan({ arch, lr: 1e-3, generatorWidth: 16 });
    seedWeights(gan.generator, 1);
    seedWeights(gan.discriminator, 2);
    const batch = fixedBatch(1);
    const first = trainStep(gan, batch); // also creates the Adam slots
    const before = tf.memory().numTensors;
    const steps = [trainStep(gan, batch)];
    expect(tf.memory().numTensors).toBe(before);
    for (let i = 0; i < 3; i++) steps.push(trainStep(gan, batch));
    const last = steps.at(-1);
    console.log(
      `${arch}: dLoss ${first.dLoss.toFixed(4)} -> ${last?.dLoss.toFixed(4)}, gLoss ${first.gLoss.toFixed(4)} -> ${last?.gLoss.toFixed(4)}`,
    );
    expect(Number.isFinite(first.dLoss) && Number.isFinite(first.gLoss)).toBe(true);
    expect(last?.dLoss).toBeLessThan(first.dLoss);
  });
});

/** The fused-against-textbook cases' recipe options; each case changes some of them. */
const RECIPE = {
  loss: "bce",
  dLr: null,
  gLr: null,
  lrDecay: "none",
  spectralNorm: false,
  spread: false,
  projection: false,
  augment: false,
} as const;

describe("trainStep (BatchNorm and inputs)", () => {
  const movingMean = (gan: ReturnType<typeof createGan>, layer: string) =>
    Array.from(gan.generator.getLayer(layer).getWeights()[2]?.dataSync() ?? []);

  it("moves the generator's BatchNorm moving statistics (which the ONNX export uses)", () => {
    const gan = createGan({ arch: "dcgan" });
    const before = movingMean(gan, "g_bn1");
    trainStep(gan, fixedBatch(2));
    const after = movingMean(gan, "g_bn1");
    expect(before.every((v) => v === 0)).toBe(true);
    expect(after.some((v) => v !== 0)).toBe(true);
  });

  it("a trained generator still exports with parity (BN statistics from training folded)", async () => {
    const gan = createGan({ arch: "dcgan", lr: 1e-3 });
    for (let i = 0; i < 2; i++) trainStep(gan, fixedBatch(5 + i));
    const bytes = exportGeneratorToOnnx(gan.generator, "dcgan");
    const { maxAbsDiff } = await checkOnnxParity(gan.generator, bytes, { samples: 16, seed: 1 });
    expect(maxAbsDiff).toBeLessThanOrEqual(1e-4);
  });

  it("a lean generator (width 64) trains and exports with parity", async () => {
    const gan = createGan({ arch: "dcgan", lr: 1e-3, generatorWidth: 64 });
    expect(gan.generator.getLayer("g_deconv1").outputShape).toEqual([null, 14, 14, 32]);
    trainStep(gan, fixedBatch(8));
    const bytes = exportGeneratorToOnnx(gan.generator, "dcgan");
    const { maxAbsDiff } = await checkOnnxParity(gan.generator, bytes, { samples: 16, seed: 2 });
    expect(maxAbsDiff).toBeLessThanOrEqual(1e-4);
  });

  it("with teacher images, G is pulled towards the teacher's image (distillation)", () => {
    // the teacher's image for every (z, label): a constant mid-grey; adversarial term off
    // (weight 1e4 dwarfs it), so the distillation term must fall step after step
    const gan = createGan({ arch: "dcgan", lr: 2e-3, distillWeight: 1e4, generatorWidth: 16 });
    seedWeights(gan.generator, 3);
    seedWeights(gan.discriminator, 4);
    const batch = { ...fixedBatch(9), teacherImages: new Float32Array(BATCH * 784).fill(0.25) };
    const first = trainStep(gan, batch);
    const before = tf.memory().numTensors;
    const losses = [first];
    for (let i = 0; i < 5; i++) losses.push(trainStep(gan, batch));
    expect(tf.memory().numTensors).toBe(before);
    const distill = losses.map((l) => l.distillLoss as number);
    expect(distill.every(Number.isFinite)).toBe(true);
    expect(distill.at(-1)).toBeLessThan(0.8 * (distill[0] as number));
    expect(first.gLoss).toBeGreaterThan(1e4 * (distill[0] as number)); // L_G includes the term
    expect(trainStep(gan, fixedBatch(9)).distillLoss).toBeNull();
  });

  it.each([
    RECIPE,
    { ...RECIPE, loss: "hinge", dLr: 4e-3, gLr: 1e-3 },
    { ...RECIPE, lrDecay: "linear" },
    { ...RECIPE, loss: "hinge", spectralNorm: true },
    { ...RECIPE, loss: "hinge", spread: true },
    { ...RECIPE, projection: true },
    { ...RECIPE, loss: "hinge", spectralNorm: true, projection: true },
    { ...RECIPE, loss: "hinge", spectralNorm: true, projection: true, augment: true },
  ] as const)(
    "equals the textbook step (D on its own G forward, then G on a fresh forward) to 1e-4: loss $loss, D lr $dLr, G lr $gLr, decay $lrDecay, spectral norm $spectralNorm, minibatch stddev $spread, projection $projection, DiffAugment $augment",
    ({ loss, dLr, gLr, lrDecay, spectralNorm, spread, projection, augment }) => {
      // the step computes G's forward pass once; the plain formulation, written out here, runs it
      // twice. Three steps with BatchNorm and distillation: every weight and statistic agrees.
      const config = {
        arch: "dcgan",
        lr: 1e-3,
        dLr,
        gLr,
        loss,
        generatorWidth: 16,
        distillWeight: 2,
        lrDecay,
        lrDecayStart: 0,
        spectralNorm,
        minibatchStddev: spread,
        projection,
        diffAugment: augment,
      } as const;
      const fused = createGan(config);
      const plain = createGan(config);
      plain.generator.setWeights(fused.generator.getWeights());
      plain.discriminator.setWeights(fused.discriminator.getWeights());
      for (const [step, seed] of [11, 12, 13].entries()) {
        const batch = {
          ...fixedBatch(seed),
          teacherImages: new Float32Array(BATCH * 784).fill(-0.5),
          ...(augment && augmentations(seed)),
        };
        const position = { step, totalSteps: 3 }; // with decay: rates x1, x2/3, x1/3
        const a = trainStep(fused, batch, undefined, position);
        const b = textbookStep(plain, batch, position);
        expect(a.dLoss).toBeCloseTo(b.dLoss, 4);
        expect(a.gLoss).toBeCloseTo(b.gLoss, 4);
      }
      for (const part of ["generator", "discriminator"] as const) {
        const x = fused[part].getWeights();
        const y = plain[part].getWeights();
        const diff = Math.max(
          ...x.map((t, i) => tf.max(tf.abs(tf.sub(t, y[i] as tf.Tensor))).dataSync()[0] as number),
        );
        expect(diff).toBeLessThan(1e-4);
      }
    },
  );

  it("two time-scale rates: each network's Adam runs at its own rate (--d-lr, --g-lr; default --lr)", () => {
    const ttur = createGan({ arch: "dcgan", lr: 1e-3, dLr: 4e-4, gLr: 1e-4, generatorWidth: 16 });
    const rate = (o: tf.Optimizer) => (o as unknown as { learningRate: number }).learningRate;
    expect(rate(ttur.dOptimizer)).toBe(4e-4);
    expect(rate(ttur.gOptimizer)).toBe(1e-4);
    const same = createGan({ arch: "dcgan", lr: 1e-3, generatorWidth: 16 });
    expect(rate(same.dOptimizer)).toBe(1e-3);
    expect(rate(same.gOptimizer)).toBe(1e-3);
    // the rate is what Adam applies: its first step moves each weight by about lr (the sign of
    // the gradient, bias-corrected), so D moves 4x as far as G would at D's weights
    const trainable = () => ttur.discriminator.trainableWeights.map((w) => w.read());
    const before = trainable().map((t) => t.dataSync().slice());
    trainStep(ttur, fixedBatch(21));
    const after = trainable();
    let moved = 0;
    after.forEach((t, i) => {
      t.dataSync().forEach((v, k) => {
        moved = Math.max(moved, Math.abs(v - (before[i]?.[k] ?? 0)));
      });
    });
    expect(moved).toBeGreaterThan(3e-4);
    expect(moved).toBeLessThan(4.5e-4);
  });

  it("--lr-decay linear: each step's Adam applies the scheduled rate, and refuses a step without its position", () => {
    // decay from the first step over 4 steps: the step at index 3 runs at 1/4 of the rates
    const gan = createGan({
      arch: "dcgan",
      dLr: 4e-4,
      gLr: 1e-4,
      lrDecay: "linear",
      lrDecayStart: 0,
      generatorWidth: 16,
    });
    const trainable = () => gan.discriminator.trainableWeights.map((w) => w.read());
    const before = trainable().map((t) => t.dataSync().slice());
    trainStep(gan, fixedBatch(22), undefined, { step: 3, totalSteps: 4 });
    expect(adamRate(gan.dOptimizer)).toBeCloseTo(1e-4, 12);
    expect(adamRate(gan.gOptimizer)).toBeCloseTo(2.5e-5, 12);
    // Adam's first step moves a weight by about its rate: 1e-4 here, not the base 4e-4
    let moved = 0;
    trainable().forEach((t, i) => {
      t.dataSync().forEach((v, k) => {
        moved = Math.max(moved, Math.abs(v - (before[i]?.[k] ?? 0)));
      });
    });
    expect(moved).toBeGreaterThan(0.75e-4);
    expect(moved).toBeLessThan(1.15e-4);
    expect(() => trainStep(gan, fixedBatch(23))).toThrow(
      /--lr-decay linear needs each step's position/,
    );
  });

  it("--spectral-norm: one power iteration per step moves D's vectors, and the step leaks no tensors", () => {
    const gan = createGan({ arch: "dcgan", loss: "hinge", spectralNorm: true, generatorWidth: 8 });
    const vectors = () =>
      spectralNorms(gan.discriminator).map((n) => n.v.read().dataSync().slice());
    const start = vectors();
    trainStep(gan, fixedBatch(24)); // also creates the Adam slots
    const before = tf.memory().numTensors;
    trainStep(gan, fixedBatch(25));
    expect(tf.memory().numTensors).toBe(before);
    expect(start).toHaveLength(3); // d_conv0, d_conv1, d_logit
    vectors().forEach((v, i) => {
      expect(v).not.toEqual(start[i]);
    });
  });

  it("withFrozenBatchNormStats restores statistics that a training-mode pass moved", () => {
    const gan = createGan({ arch: "dcgan" });
    const tensors = batchTensors(fixedBatch(3));
    withFrozenBatchNormStats(gan.generator, () => {
      const { z, fakeLabels } = tensors;
      tf.dispose(gan.generator.apply([z, fakeLabels], { training: true }) as tf.Tensor);
      expect(movingMean(gan, "g_bn0").some((v) => v !== 0)).toBe(true); // moved inside ...
    });
    expect(movingMean(gan, "g_bn0").every((v) => v === 0)).toBe(true); // ... restored after
    disposeStepTensors(tensors);
  });

  it("rejects a batch whose arrays do not fit, saying which array and what is expected", () => {
    const gan = createGan({ arch: "mlp" });
    const batch = fixedBatch(4);
    const before = tf.memory().numTensors;
    expect(() =>
      trainStep(gan, { ...batch, images: new Float32Array(4 * 28 * 28 * 3 + 1) }),
    ).toThrow(
      /batch.images must have shape \[B, 28, 28, 1\] \(a multiple of 784 values, at least one row\), got 9409 values/,
    );
    expect(() => trainStep(gan, { ...batch, labels: new Float32Array(30) })).toThrow(
      /batch.labels must have shape \[4, 10\] \(40 values\), got 30 values/,
    );
    expect(() => trainStep(gan, { ...batch, fakeLabels: new Float32Array(30) })).toThrow(
      /batch.fakeLabels must have shape \[4, 10\]/,
    );
    expect(() =>
      trainStep(gan, { ...batch, teacherImages: new Float32Array(4 * 14 * 14) }),
    ).toThrow(/batch.teacherImages must have shape \[4, 28, 28, 1\]/);
    const { realAugment, fakeAugment } = augmentations(1);
    expect(() => trainStep(gan, { ...batch, realAugment })).toThrow(
      /batch.realAugment and batch.fakeAugment come together/,
    );
    expect(() =>
      trainStep(gan, { ...batch, realAugment, fakeAugment: fakeAugment.subarray(4) }),
    ).toThrow(/batch.fakeAugment must have shape \[4, 4\] \(16 values\), got 12 values/);
    expect(tf.memory().numTensors).toBe(before); // refused before any tensor was made
  });

  it("validates the config", () => {
    expect(createGan({ arch: "mlp" }).config).toEqual({
      arch: "mlp",
      lr: 2e-4,
      dLr: null,
      gLr: null,
      loss: "bce",
      spectralNorm: false,
      minibatchStddev: false,
      projection: false,
      diffAugment: false,
      lrDecay: "none",
      lrDecayStart: 0.5,
      beta1: 0.5,
      realLabelTarget: 0.9,
      generatorWidth: 128,
      distillWeight: 10,
    });
    // the trainer's flag schema decides, with its messages
    expect(() => createGan({ generatorWidth: 63 })).toThrow(
      /generatorWidth: must be even .*\(got 63\)/,
    );
    expect(() => createGan({ distillWeight: -1 })).toThrow(/distillWeight: .*>=0 \(got -1\)/);
    expect(() => createGan({ lr: 0 })).toThrow(/lr: .*>0 \(got 0\)/);
    expect(() => createGan({ realLabelTarget: 1.2 })).toThrow(/realLabelTarget: .*<=1 \(got 1.2\)/);
    expect(() => createGan({ arch: "wgan" as never })).toThrow(/arch: .*"dcgan"\|"mlp"/);
    expect(createGan({ lr: undefined }).config.lr).toBe(2e-4); // undefined keeps the default
  });
});
