/**
 * The run's batches, in order, and the cursor that says where the run stands in its data: epoch,
 * position in the epoch, the epoch's shuffle seed and the steps in total.
 *
 * `batches()` draws ahead on a cursor of its own: each event carries the cursor and the RNG state
 * as they are once it is drawn, and the run stands there when the loop takes the event (trains on
 * the batch, or ends the epoch). The loop may draw the next batch while a step is still running
 * (to hand it to the replica workers early) and writes checkpoints only between steps, with the
 * cursor and RNG state of the last event it took, so a checkpoint's cursor, RNG state and weights
 * always agree. Everything random (each epoch's shuffle seed, z, fake labels) comes from the run's
 * RNG in a fixed order (with `--diff-augment`, each batch's augmentations too), which is what
 * makes a resumed run reproduce the straight one.
 */
import type { GanBatch } from "@edgegan/model/batch";
import { drawAugmentations } from "@edgegan/model/diff-augment";
import { LATENT_SIZE, oneHot, PIXELS_PER_IMAGE } from "@edgegan/shared";
import { gatherRows } from "@edgegan/shared/gather";
import { type Rng, type RngState, seededPermutation } from "@edgegan/shared/rng";
import type { TrainConfig } from "@edgegan/shared/train-config";
import type { Dataset } from "./dataset.ts";

/** Where a run stands in its data (part of every checkpoint). */
export interface DataCursor {
  /** Batches drawn in total: the optimisation steps done once the loop has trained on the last. */
  step: number;
  /** Epochs completed. */
  epoch: number;
  /** Batches drawn from the current (unfinished) epoch. */
  stepInEpoch: number;
  /** Seed of the current epoch's shuffle, or null between epochs. */
  epochSeed: number | null;
}

/** A run's cursor before its first batch. */
export function startCursor(): DataCursor {
  return { step: 0, epoch: 0, stepInEpoch: 0, epochSeed: null };
}

/**
 * Real images and labels from the shuffled order, z and fake labels from the RNG, and with
 * `--diff-augment` how D sees each image, drawn after them (a run without it draws as before).
 */
function makeBatch(
  data: Dataset,
  order: Uint32Array,
  start: number,
  config: BatchSettings,
  rng: Rng,
): GanBatch {
  const { batchSize } = config;
  const picked = order.subarray(start, start + batchSize);
  const z = Float32Array.from({ length: batchSize * LATENT_SIZE }, () => rng.normal());
  const fakeLabels = Array.from({ length: batchSize }, () => rng.int(data.classNames.length));
  return {
    images: gatherRows(data.images, PIXELS_PER_IMAGE, picked), // [B, 28, 28, 1]
    labels: oneHot(gatherRows(data.labels, 1, picked)), // [B, 10]
    z, // [B, 100]
    fakeLabels: oneHot(fakeLabels), // [B, 10], uniform over the dataset's classes (10 or fewer)
    ...(config.diffAugment && {
      realAugment: drawAugmentations(batchSize, rng), // [B, 4]
      fakeAugment: drawAugmentations(batchSize, rng), // [B, 4]
    }),
  };
}

/** The settings that shape a run's batches. */
type BatchSettings = Pick<TrainConfig, "epochs" | "batchSize" | "diffAugment">;

/** Where the run stands once the loop has taken an event: its cursor and its RNG's state. */
export interface DataPosition {
  cursor: DataCursor;
  rngState: RngState;
}

/** What the loop gets: a batch to train on, or the end of an epoch, and where it leaves the run. */
export type BatchEvent = ({ kind: "batch"; batch: GanBatch } | { kind: "epoch-end" }) & {
  /** Where the run stands once the loop has taken this event. */
  after: DataPosition;
};

/**
 * Batches from where `start` stands until the configured epochs are done or `shouldStop()`
 * (asked before each batch is drawn).
 * @param start the run's cursor: copied, never moved (the loop moves the run's on taking an event)
 * @param rng the run's RNG, drawn from in order (its state after each event travels with it)
 */
export function* batches(
  data: Dataset,
  config: BatchSettings,
  start: DataCursor,
  rng: Rng,
  shouldStop: () => boolean,
): Generator<BatchEvent> {
  const stepsPerEpoch = Math.floor(data.count / config.batchSize);
  const cursor: DataCursor = { ...start };
  const position = (): DataPosition => ({ cursor: { ...cursor }, rngState: rng.getState() });
  while (cursor.epoch < config.epochs && !shouldStop()) {
    if (cursor.epochSeed === null) {
      cursor.epochSeed = rng.nextUint32();
      cursor.stepInEpoch = 0;
    }
    const order = seededPermutation(data.count, cursor.epochSeed);
    while (cursor.stepInEpoch < stepsPerEpoch && !shouldStop()) {
      const start = cursor.stepInEpoch * config.batchSize;
      const batch = makeBatch(data, order, start, config, rng);
      cursor.stepInEpoch += 1;
      cursor.step += 1;
      yield { kind: "batch", batch, after: position() };
    }
    if (cursor.stepInEpoch >= stepsPerEpoch) {
      cursor.epoch += 1;
      cursor.epochSeed = null;
      cursor.stepInEpoch = 0;
      yield { kind: "epoch-end", after: position() };
    }
  }
}
