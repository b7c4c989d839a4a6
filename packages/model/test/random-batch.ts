/**
 * Test and bench support: a random training batch from a seed (real images uniform in [-1, 1],
 * classes uniform, z ~ N(0, 1), each fake conditioned on its real image's class + 3; optionally
 * DiffAugment's parameters).
 */
import { LATENT_SIZE, NUM_CLASSES, oneHot, PIXELS_PER_IMAGE } from "@edgegan/shared";
import { createRng } from "@edgegan/shared/rng";
import type { GanBatch } from "../src/batch.ts";
import { drawAugmentations } from "../src/diff-augment.ts";

/** `n` real images and `n` fakes to make; with `augment`, DiffAugment's parameters for each. */
export function randomBatch(n: number, seed: number, { augment = false } = {}): GanBatch {
  const rng = createRng(seed);
  const classes = Array.from({ length: n }, () => rng.int(NUM_CLASSES));
  return {
    images: Float32Array.from({ length: n * PIXELS_PER_IMAGE }, () => rng.nextFloat() * 2 - 1), // [n, 28, 28, 1]
    labels: oneHot(classes), // [n, 10]
    z: rng.fillNormal(new Float32Array(n * LATENT_SIZE)), // [n, 100]
    fakeLabels: oneHot(classes.map((c) => (c + 3) % NUM_CLASSES)), // [n, 10]
    ...(augment && {
      realAugment: drawAugmentations(n, rng),
      fakeAugment: drawAugmentations(n, rng),
    }), // [n, 4] each
  };
}
