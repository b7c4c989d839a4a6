/**
 * The memorisation figure on hand-made sets where the answer is known: a "generator" that
 * returns training images is flagged (share 100%, distance 0), one that makes new points as far
 * from the training set as real test points are is not; the quantile and share rules, worked.
 */
import { initCpuTrainingBackend } from "@edgegan/model/kernels/cpu-conv2d-backprop-filter";
import { memorisationSchema } from "@edgegan/shared/memorisation";
import { createRng } from "@edgegan/shared/rng";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type ImagesInSpaces,
  measureMemorisation,
  memorisationReference,
  nearCopyLimit,
  nearestRankQuantile,
  shareBelow,
} from "./memorisation.ts";
import type { Rows } from "./nearest-neighbour.ts";

beforeAll(() => initCpuTrainingBackend());

/** n points of `dim` values ~ U(-1, 1) from `seed`: the same "distribution" for every set. */
function points(count: number, dim: number, seed: number): Rows {
  const rng = createRng(seed);
  return {
    values: Float32Array.from({ length: count * dim }, () => rng.nextFloat() * 2 - 1),
    count,
    dim,
  };
}

/** A set seen in both spaces: features are the first 4 coordinates of the 16 "pixels". */
function inSpaces(pixels: Rows): ImagesInSpaces {
  const features = new Float32Array(pixels.count * 4);
  for (let i = 0; i < pixels.count; i++) {
    features.set(pixels.values.subarray(i * 16, i * 16 + 4), i * 4);
  }
  return { pixels, features: { values: features, count: pixels.count, dim: 4 } };
}

function rowsOf(rows: Rows, from: number, count: number): Rows {
  return {
    values: rows.values.slice(from * rows.dim, (from + count) * rows.dim),
    count,
    dim: rows.dim,
  };
}

describe("nearCopyLimit", () => {
  it("worked example: 10 of 2,000 samples, 25 of 5,000 test images -> 0.0106", () => {
    expect(nearCopyLimit(10 / 2000, 2000, 25 / 5000, 5000)).toBeCloseTo(0.0106, 4);
  });
  it("is the test share itself when neither set has a near-copy", () => {
    expect(nearCopyLimit(0, 2000, 0, 5000)).toBe(0);
  });
});

describe("nearestRankQuantile and shareBelow", () => {
  it("worked example: the 1st percentile of 1..200 is the 2nd smallest; 1 of 200 lies below it", () => {
    const values = Float32Array.from({ length: 200 }, (_, i) => 200 - i); // 200 .. 1
    expect(nearestRankQuantile(values, 0.01)).toBe(2);
    expect(shareBelow(values, 2)).toBe(1 / 200);
    expect(nearestRankQuantile(values, 0.5)).toBe(100);
    expect(() => nearestRankQuantile(new Float32Array(0), 0.5)).toThrow(/at least one value/);
  });
});

describe("measureMemorisation", () => {
  const trainPixels = points(600, 16, 1);
  const train = inSpaces(trainPixels);
  const test = inSpaces(points(400, 16, 2));

  it("flags a generator that returns training images, and passes one that makes new ones", async () => {
    const reference = await memorisationReference(train, test, { seed: 5 });
    expect(reference.testCalibration + reference.testHeldOut).toBe(400);

    const copier = inSpaces(rowsOf(trainPixels, 100, 200)); // 200 training images, as they are
    const copied = await measureMemorisation(copier, reference, { pairsPerSpace: 3 });
    expect(memorisationSchema.parse(copied)).toEqual(copied);
    expect(copied.memorising).toBe(true);
    expect(copied.features.nearCopyShare).toBe(1);
    expect(copied.pixels.nearCopyShare).toBe(1);
    expect(copied.pixels.samples.p50).toBeLessThan(0.01);
    expect(copied.closestPairs).toHaveLength(6);
    for (const pair of copied.closestPairs) {
      expect(pair.train).toBe(pair.sample + 100); // sample i is training image 100 + i
      expect(pair.distance).toBeLessThan(0.01);
    }

    const fresh = inSpaces(points(200, 16, 3)); // new draws of the same distribution
    const honest = await measureMemorisation(fresh, reference);
    expect(honest.memorising).toBe(false);
    for (const space of ["features", "pixels"] as const) {
      const s = honest[space];
      expect(s.nearCopyShare).toBeLessThanOrEqual(s.limit);
      // the held-out half has about 1% under the calibration half's 1st percentile
      expect(s.testNearCopyShare).toBeLessThan(0.04);
      expect(s.samples.p50).toBeCloseTo(s.test.p50, 0);
    }
  });

  it("flags a generator that copies only some of the time (1 sample in 5)", async () => {
    const reference = await memorisationReference(train, test, { seed: 5 });
    const mixed = points(200, 16, 4);
    for (let i = 0; i < 200; i += 5) {
      mixed.values.set(trainPixels.values.subarray(i * 16, (i + 1) * 16), i * 16);
    }
    const m = await measureMemorisation(inSpaces(mixed), reference);
    expect(m.memorising).toBe(true);
    expect(m.pixels.nearCopyShare).toBeGreaterThanOrEqual(0.2);
  });

  it("refuses sets whose spaces disagree", async () => {
    const broken = { ...train, pixels: rowsOf(trainPixels, 0, 10) };
    await expect(memorisationReference(broken, test)).rejects.toThrow(/counts differ/);
  });
});
