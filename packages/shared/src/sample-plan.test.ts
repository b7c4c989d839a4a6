import { describe, expect, it } from "vitest";
import { LATENT_SIZE, NUM_CLASSES } from "./contract.ts";
import { createRng, latentFromSeed } from "./rng.ts";
import { buildGeneratorInputs, planSample } from "./sample-plan.ts";

describe("planSample", () => {
  it("gives image 0 the request seed and image i the i-th draw of createRng(seed)", () => {
    const plan = planSample({ count: 5, seed: 1234 });
    const rng = createRng(1234);
    expect(plan.map((p) => p.seed)).toEqual([
      1234,
      rng.nextUint32(),
      rng.nextUint32(),
      rng.nextUint32(),
      rng.nextUint32(),
    ]);
    expect(plan.map((p) => p.index)).toEqual([0, 1, 2, 3, 4]);
  });

  it("pins the seeds of a small plan", () => {
    // createRng(42)'s first draws (see rng.test.ts golden values)
    expect(planSample({ count: 3, seed: 42 }).map((p) => p.seed)).toEqual([
      42, 2837322924, 544945897,
    ]);
  });

  it("spreads labels over the classes when no label is given, and repeats a given label", () => {
    const spread = planSample({ count: 23, seed: 1 });
    expect(spread.map((p) => p.label)).toEqual(
      Array.from({ length: 23 }, (_, i) => i % NUM_CLASSES),
    );
    expect(planSample({ count: 4, seed: 1, label: null }).map((p) => p.label)).toEqual([
      0, 1, 2, 3,
    ]);
    expect(planSample({ count: 4, seed: 1, label: 7 }).map((p) => p.label)).toEqual([7, 7, 7, 7]);
  });

  it("lets every image of a batch be regenerated alone from its (label, seed)", () => {
    const batch = planSample({ count: 12, seed: 987654321 });
    const batchInputs = buildGeneratorInputs(batch);
    for (const image of batch) {
      const single = planSample({ count: 1, label: image.label, seed: image.seed });
      expect(single).toEqual([{ index: 0, label: image.label, seed: image.seed }]);
      const inputs = buildGeneratorInputs(single);
      const row = batchInputs.z.subarray(
        image.index * LATENT_SIZE,
        (image.index + 1) * LATENT_SIZE,
      );
      expect(Array.from(inputs.z)).toEqual(Array.from(row));
      const labelRow = batchInputs.label.subarray(
        image.index * NUM_CLASSES,
        (image.index + 1) * NUM_CLASSES,
      );
      expect(Array.from(inputs.label)).toEqual(Array.from(labelRow));
    }
  });

  it("draws a shared sequence from the request seed alone, and an 'each' one like count", () => {
    const shared = planSample({ count: 4, seed: 42, labels: [2, 0, 2, 6] });
    expect(shared).toEqual([
      { index: 0, label: 2, seed: 42 },
      { index: 1, label: 0, seed: 42 },
      { index: 2, label: 2, seed: 42 },
      { index: 3, label: 6, seed: 42 },
    ]);
    const each = planSample({ count: 4, seed: 42, labels: [2, 0, 2, 6], style: "each" });
    expect(each.map((p) => p.label)).toEqual([2, 0, 2, 6]);
    expect(each.map((p) => p.seed)).toEqual(planSample({ count: 4, seed: 42 }).map((p) => p.seed));
  });

  it.each([
    [{ count: 3, seed: 1, labels: [1, 2] }, /labels must hold count = 3 classes, got 2/],
    [{ count: 1, seed: 1, labels: [10] }, /label must be an integer in 0\.\.9/],
    [{ count: 0, seed: 1 }, /count must be a positive integer, got 0/],
    [{ count: 1.5, seed: 1 }, /count.*1\.5/],
    [{ count: 2, seed: -1 }, /seed must be an integer in 0\.\.4294967295, got -1/],
    [{ count: 2, seed: 2 ** 32 }, /seed.*4294967296/],
    [{ count: 2, seed: 1, label: 10 }, /label must be an integer in 0\.\.9 or absent, got 10/],
    [{ count: 2, seed: 1, label: -1 }, /label.*-1/],
  ])("rejects %j", (request, message) => {
    expect(() => planSample(request)).toThrow(message);
  });
});

describe("buildGeneratorInputs", () => {
  it("builds z [n*100] from latentFromSeed and one-hot labels [n*10]", () => {
    const plan = [
      { index: 0, label: 3, seed: 10 },
      { index: 1, label: 9, seed: 11 },
    ];
    const { z, label } = buildGeneratorInputs(plan);
    expect(z).toBeInstanceOf(Float32Array);
    expect(z.length).toBe(2 * LATENT_SIZE);
    expect(Array.from(z.subarray(0, LATENT_SIZE))).toEqual(Array.from(latentFromSeed(10)));
    expect(Array.from(z.subarray(LATENT_SIZE))).toEqual(Array.from(latentFromSeed(11)));
    expect(label.length).toBe(2 * NUM_CLASSES);
    expect(Array.from(label)).toEqual([0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  });

  it("handles an empty plan", () => {
    const { z, label } = buildGeneratorInputs([]);
    expect(z.length).toBe(0);
    expect(label.length).toBe(0);
  });
});

describe("planSample for a model of fewer classes", () => {
  it("spreads unlabelled images over classCount classes, and checks it", () => {
    expect(planSample({ count: 5, seed: 9, classCount: 3 }).map((p) => p.label)).toEqual([
      0, 1, 2, 0, 1,
    ]);
    expect(planSample({ count: 3, seed: 9, classCount: 3, label: 2 }).map((p) => p.label)).toEqual([
      2, 2, 2,
    ]);
    expect(() => planSample({ count: 1, seed: 9, classCount: 11 })).toThrow(/classCount/);
  });
});
