/**
 * The run's batches, in order: it owns the epoch bookkeeping (each epoch's shuffle seed is drawn
 * from the run's RNG, and a resumed run continues at the checkpoint's position in its epoch), so
 * the training loop only consumes batches and epoch ends.
 *
 * The loop advances `state.step` / `state.stepInEpoch` after each successful step; the generator
 * reads them to know where it is. Everything random (shuffle, z, fake labels) comes from the
 * run's RNG in a fixed order, which is what makes a resumed run reproduce the straight one.
 */
import { LATENT_SIZE, NUM_CLASSES, oneHot, PIXELS_PER_IMAGE } from "@edgegan/shared";
import { gatherRows } from "@edgegan/shared/gather";
import { type Rng, seededPermutation } from "@edgegan/shared/rng";
import type { TrainConfig } from "@edgegan/shared/train-config";
import * as tf from "@tensorflow/tfjs-core";
import type { RunState } from "./checkpoint.ts";
import type { Dataset } from "./dataset.ts";

/** One batch's tensors (the caller disposes them). */
export interface BatchTensors {
  /** Real images [B, 28, 28, 1] in [-1, 1]. */
  images: tf.Tensor4D;
  /** Their one-hot labels [B, 10]. */
  labels: tf.Tensor2D;
  /** Latents [B, 100] ~ N(0, 1). */
  z: tf.Tensor2D;
  /** One-hot labels for the fakes [B, 10], uniform over the dataset's classes (10 or fewer). */
  fakeLabels: tf.Tensor2D;
}

/** Real images and labels from the shuffled order, z and fake labels from the RNG. */
function makeBatch(
  data: Dataset,
  order: Uint32Array,
  start: number,
  batchSize: number,
  rng: Rng,
): BatchTensors {
  const picked = order.subarray(start, start + batchSize);
  const images = gatherRows(data.images, PIXELS_PER_IMAGE, picked);
  const labels = Array.from(gatherRows(data.labels, 1, picked));
  const z = Float32Array.from({ length: batchSize * LATENT_SIZE }, () => rng.normal());
  const fakeLabels = Array.from({ length: batchSize }, () => rng.int(data.classNames.length));
  return {
    images: tf.tensor4d(images, [batchSize, 28, 28, 1]),
    labels: tf.tensor2d(oneHot(labels), [batchSize, NUM_CLASSES]),
    z: tf.tensor2d(z, [batchSize, LATENT_SIZE]),
    fakeLabels: tf.tensor2d(oneHot(fakeLabels), [batchSize, NUM_CLASSES]),
  };
}

/** What the loop gets: a batch to train on, or the end of an epoch (state already advanced). */
export type BatchEvent = { kind: "batch"; batch: BatchTensors } | { kind: "epoch-end" };

/**
 * Batches from where `state` stands until the configured epochs are done or `shouldStop()`.
 * @param state the run's state: read for the position, updated at epoch boundaries
 */
export function* batches(
  data: Dataset,
  config: Pick<TrainConfig, "epochs" | "batchSize">,
  state: RunState,
  rng: Rng,
  shouldStop: () => boolean,
): Generator<BatchEvent> {
  const stepsPerEpoch = Math.floor(data.count / config.batchSize);
  while (state.epoch < config.epochs && !shouldStop()) {
    if (state.epochSeed === null) {
      state.epochSeed = rng.nextUint32();
      state.stepInEpoch = 0;
    }
    const order = seededPermutation(data.count, state.epochSeed);
    while (state.stepInEpoch < stepsPerEpoch && !shouldStop()) {
      const start = state.stepInEpoch * config.batchSize;
      yield { kind: "batch", batch: makeBatch(data, order, start, config.batchSize, rng) };
    }
    if (state.stepInEpoch >= stepsPerEpoch) {
      state.epoch += 1;
      state.epochSeed = null;
      state.stepInEpoch = 0;
      yield { kind: "epoch-end" };
    }
  }
}
