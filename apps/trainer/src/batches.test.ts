/** The run's batches: what each carries, drawn in a fixed order from the run's RNG. */
import { AUGMENT_PARAMS } from "@edgegan/model/diff-augment";
import { LATENT_SIZE, PIXELS_PER_IMAGE } from "@edgegan/shared";
import { createRng } from "@edgegan/shared/rng";
import { describe, expect, it } from "vitest";
import { type BatchEvent, batches, startCursor } from "./batches.ts";
import type { Dataset } from "./dataset.ts";

/** 12 images of 3 classes, each image's pixels all equal to its index / 100. */
const data: Dataset = {
  name: "tiny",
  classNames: ["a", "b", "c"],
  images: Float32Array.from(
    { length: 12 * PIXELS_PER_IMAGE },
    (_, i) => Math.floor(i / PIXELS_PER_IMAGE) / 100,
  ),
  labels: Uint8Array.from({ length: 12 }, (_, i) => i % 3),
  count: 12,
};

function firstBatch(diffAugment: boolean): BatchEvent & { kind: "batch" } {
  const events = batches(
    data,
    { epochs: 1, batchSize: 4, diffAugment },
    startCursor(),
    createRng(7),
    () => false,
  );
  const first = events.next().value as BatchEvent;
  if (first.kind !== "batch") throw new Error("expected a batch first");
  return first;
}

describe("batches", () => {
  it("with --diff-augment, carries each real image's and fake's augmentation, drawn after z and the labels", () => {
    const plain = firstBatch(false);
    const augmented = firstBatch(true);
    expect(plain.batch.realAugment).toBeUndefined();
    expect(augmented.batch.realAugment).toHaveLength(4 * AUGMENT_PARAMS);
    expect(augmented.batch.fakeAugment).toHaveLength(4 * AUGMENT_PARAMS);
    expect(augmented.batch.realAugment).not.toEqual(augmented.batch.fakeAugment);
    // the same images, z and fake labels as a run without it: its draws come last
    for (const key of ["images", "labels", "z", "fakeLabels"] as const) {
      expect(augmented.batch[key], key).toEqual(plain.batch[key]);
    }
    expect(augmented.batch.z).toHaveLength(4 * LATENT_SIZE);
    // and the RNG has moved on by them, so the next batch's z differ
    expect(augmented.after.rngState).not.toEqual(plain.after.rngState);
  });
});
