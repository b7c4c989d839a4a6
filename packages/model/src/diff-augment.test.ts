import { LATENT_SIZE, oneHot } from "@edgegan/shared";
import { createRng } from "@edgegan/shared/rng";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { useCpuBackend } from "../test/cpu-backend.ts";
import { seededWeights } from "../test/seeded-weights.ts";
import {
  AUGMENT_PARAMS,
  augmentTensors,
  CUTOUT_SIZE,
  diffAugment,
  drawAugmentations,
  MAX_SHIFT,
} from "./diff-augment.ts";
import { createGan, trainStep } from "./train-step.ts";

beforeAll(() => useCpuBackend());

const SIDE = 28;

/** One 28x28 image through one augmentation (dx, dy, centre row, centre column), on the host. */
function augmentOne(image: Float32Array, params: number[]): Float32Array {
  const augment = augmentTensors(Float32Array.from(params), 1);
  const out = tf.tidy(() =>
    diffAugment(tf.tensor4d(image, [1, SIDE, SIDE, 1]), augment).dataSync(),
  );
  tf.dispose(augment);
  return out as Float32Array;
}

/** A background image (-1) with the listed pixels at `value`. */
function imageWith(pixels: [number, number][], value = 1): Float32Array {
  const image = new Float32Array(SIDE * SIDE).fill(-1);
  for (const [row, column] of pixels) image[row * SIDE + column] = value;
  return image;
}

/** The pixels that are not background, as [row, column]. */
function lit(image: Float32Array): [number, number][] {
  const found: [number, number][] = [];
  image.forEach((v, i) => {
    if (v !== -1) found.push([Math.floor(i / SIDE), i % SIDE]);
  });
  return found;
}

describe("diffAugment (translation and cutout)", () => {
  it("worked example: (dx 2, dy -1) moves the pixel at row 5, column 7 to row 4, column 9", () => {
    // the cut square (centre 27, 27: rows and columns 20-27) lies on background only
    const out = augmentOne(imageWith([[5, 7]]), [2, -1, 27, 27]);
    expect(lit(out)).toEqual([[4, 9]]);
    expect(out[4 * SIDE + 9]).toBe(1);
  });

  it("a pixel shifted over the edge is gone, and background comes in from the other side", () => {
    expect(lit(augmentOne(imageWith([[0, 27]]), [1, 0, 27, 27]))).toEqual([]);
    expect(lit(augmentOne(imageWith([[0, 27]]), [0, -1, 27, 27]))).toEqual([]);
    // a white image shifted right by 3: its first 3 columns are background
    const white = new Float32Array(SIDE * SIDE).fill(1);
    const shifted = augmentOne(white, [3, 0, 27, 27]);
    const background = lit(shifted.map((v) => (v === -1 ? 1 : -1)));
    const expected: [number, number][] = [];
    for (let row = 0; row < SIDE; row++) {
      for (let column = 0; column < SIDE; column++) {
        const inCut = row >= 20 && column >= 20; // the 14x14 square centred on (27, 27), clipped
        if (column < 3 || inCut) expected.push([row, column]);
      }
    }
    expect(background).toEqual(expected);
  });

  it("cuts a 14x14 square to background, clipped at the edge: centre (10, 3) blanks rows 3-16, columns 0-9", () => {
    const white = new Float32Array(SIDE * SIDE).fill(1);
    const out = augmentOne(white, [0, 0, 10, 3]);
    out.forEach((v, i) => {
      const [row, column] = [Math.floor(i / SIDE), i % SIDE];
      const inCut = row >= 3 && row < 17 && column < 10;
      expect(v).toBe(inCut ? -1 : 1);
    });
    expect(CUTOUT_SIZE).toBe(14);
  });

  it("passes the gradient back through the same shift and mask", () => {
    const rng = createRng(5);
    const x = rng.fillNormal(new Float32Array(2 * SIDE * SIDE));
    const w = rng.fillNormal(new Float32Array(2 * SIDE * SIDE));
    const params = [1, -2, 4, 20, -3, 3, 14, 14];
    const augment = augmentTensors(Float32Array.from(params), 2);
    const grad = tf.tidy(() => {
      const weights = tf.tensor4d(w, [2, SIDE, SIDE, 1]);
      const g = tf.grad((input: tf.Tensor) =>
        tf.sum(tf.mul(diffAugment(input as tf.Tensor4D, augment), weights)),
      );
      return g(tf.tensor4d(x, [2, SIDE, SIDE, 1])).dataSync();
    });
    tf.dispose(augment);
    // d/dx[i, j] = w[i + dy, j + dx] where that output pixel exists and is not cut, else 0
    for (let n = 0; n < 2; n++) {
      const [dx, dy, cy, cx] = params.slice(n * AUGMENT_PARAMS, (n + 1) * AUGMENT_PARAMS) as [
        number,
        number,
        number,
        number,
      ];
      for (let i = 0; i < SIDE; i++) {
        for (let j = 0; j < SIDE; j++) {
          const [row, column] = [i + dy, j + dx];
          const inside = row >= 0 && row < SIDE && column >= 0 && column < SIDE;
          const cut = Math.abs(row - cy + 0.5) < 7 && Math.abs(column - cx + 0.5) < 7;
          const expected = inside && !cut ? (w[n * 784 + row * SIDE + column] as number) : 0;
          expect(grad[n * 784 + i * SIDE + j]).toBeCloseTo(expected, 5);
        }
      }
    }
  });

  it("draws integer shifts in [-3, 3] and centres over the whole image, the same for the same seed", () => {
    const params = drawAugmentations(2000, createRng(9));
    expect(params).toEqual(drawAugmentations(2000, createRng(9)));
    const column = (k: number) =>
      Array.from({ length: 2000 }, (_, i) => params[i * AUGMENT_PARAMS + k] as number);
    for (const k of [0, 1]) {
      expect(new Set(column(k))).toEqual(
        new Set(Array.from({ length: 2 * MAX_SHIFT + 1 }, (_, s) => s - MAX_SHIFT)),
      );
    }
    for (const k of [2, 3]) {
      expect(new Set(column(k))).toEqual(new Set(Array.from({ length: SIDE }, (_, c) => c)));
    }
  });

  it("refuses parameters it was not drawn with, naming the image and the ranges", () => {
    expect(() => augmentTensors(Float32Array.from([0, 0, 0, 0, 4, 0, 0, 0]), 2)).toThrow(
      /augmentation 1: \(dx 4, dy 0, centre 0, 0\) must be integer shifts in \[-3, 3\] and a pixel index in \[0, 27\]/,
    );
    expect(() => augmentTensors(Float32Array.from([0.5, 0, 0, 28]), 1)).toThrow(/augmentation 0/);
  });

  it("is what D sees in a step: from the same weights and batch, L_D changes with it", () => {
    const batch = {
      images: imageWith([[14, 14]]),
      labels: oneHot([3]),
      z: createRng(2).fillNormal(new Float32Array(LATENT_SIZE)),
      fakeLabels: oneHot([4]),
    };
    const rng = createRng(3);
    const augmented = {
      ...batch,
      realAugment: drawAugmentations(1, rng),
      fakeAugment: drawAugmentations(1, rng),
    };
    // seeded weights, large enough (std 0.1) that D's score moves with its input: from TF.js's
    // unseeded initialiser the change was sometimes under 1e-3
    const start = createGan({ arch: "mlp", loss: "hinge" });
    const generatorWeights = seededWeights(start.generator, 5, 0.1);
    const discriminatorWeights = seededWeights(start.discriminator, 6, 0.1);
    const dLoss = (withAugment: boolean) => {
      const gan = createGan({ arch: "mlp", loss: "hinge", diffAugment: withAugment });
      gan.generator.setWeights(generatorWeights);
      gan.discriminator.setWeights(discriminatorWeights);
      return trainStep(gan, withAugment ? augmented : batch).dLoss;
    };
    expect(dLoss(false)).toBeCloseTo(dLoss(false), 6); // the same start gives the same loss ...
    expect(dLoss(true)).not.toBeCloseTo(dLoss(false), 1); // ... and D's view changes it (by 0.27)
    tf.dispose([...generatorWeights, ...discriminatorWeights]);
  });
});
