/** The study's batching: shuffled batches of any size give every image back at its plan index. */

import { LATENT_SIZE, NUM_CLASSES, PIXELS_PER_IMAGE } from "@edgegan/shared";
import { describe, expect, it } from "vitest";
import { type BatchRunner, inShuffledBatches } from "./batch-norm-modes.ts";

/** Inputs whose z of item i starts with i and whose label is i % 10. */
function taggedInputs(count: number) {
  const z = new Float32Array(count * LATENT_SIZE);
  const label = new Float32Array(count * NUM_CLASSES);
  for (let i = 0; i < count; i++) {
    z[i * LATENT_SIZE] = i;
    label[i * NUM_CLASSES + (i % NUM_CLASSES)] = 1;
  }
  return { z, label };
}

/** A "generator" whose image is filled with its z's first value plus its label / 100. */
const echo: BatchRunner = (z, labels, n) => {
  const out = new Float32Array(n * PIXELS_PER_IMAGE);
  for (let k = 0; k < n; k++) {
    const label = labels.subarray(k * NUM_CLASSES, (k + 1) * NUM_CLASSES).indexOf(1);
    out.fill(
      (z[k * LATENT_SIZE] as number) + label / 100,
      k * PIXELS_PER_IMAGE,
      (k + 1) * PIXELS_PER_IMAGE,
    );
  }
  return out;
};

describe("inShuffledBatches", () => {
  it("returns image i at index i for batch sizes that do and do not divide the count", () => {
    for (const batchSize of [1, 7, 25, 60]) {
      const images = inShuffledBatches(taggedInputs(50), 50, batchSize, echo);
      for (let i = 0; i < 50; i++) {
        expect(images[i * PIXELS_PER_IMAGE]).toBeCloseTo(i + (i % NUM_CLASSES) / 100, 5);
        expect(images[(i + 1) * PIXELS_PER_IMAGE - 1]).toBeCloseTo(i + (i % NUM_CLASSES) / 100, 5);
      }
    }
  });

  it("mixes the plan's classes within a batch (a class-major plan is not cut into one-class batches)", () => {
    const classesPerBatch: number[] = [];
    const spy: BatchRunner = (z, labels, n) => {
      const seen = new Set<number>();
      for (let k = 0; k < n; k++)
        seen.add(labels.subarray(k * NUM_CLASSES, (k + 1) * NUM_CLASSES).indexOf(1));
      classesPerBatch.push(seen.size);
      return echo(z, labels, n);
    };
    const count = 100;
    const inputs = taggedInputs(count);
    // class-major, as the evaluation plans: items 0-9 class 0, 10-19 class 1, ...
    inputs.label.fill(0);
    for (let i = 0; i < count; i++) inputs.label[i * NUM_CLASSES + Math.floor(i / 10)] = 1;
    inShuffledBatches(inputs, count, 10, spy);
    expect(classesPerBatch).toHaveLength(10);
    expect(Math.min(...classesPerBatch)).toBeGreaterThan(3);
  });

  it("refuses a runner that returns the wrong number of values", () => {
    const short: BatchRunner = (_z, _l, n) => new Float32Array(n * PIXELS_PER_IMAGE - 1);
    expect(() => inShuffledBatches(taggedInputs(4), 4, 2, short)).toThrow(
      /a batch of 2 gave 1567 values/,
    );
  });
});
