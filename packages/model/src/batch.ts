/**
 * One training batch, as it travels: flat Float32Arrays on the host, from the data loader through
 * the teacher and the data-parallel split to the replica that trains on it. Tensors are made once,
 * by the step itself (`batchTensors`), and live only for that step.
 */
import {
  IMAGE_CHANNELS,
  IMAGE_SIZE,
  LATENT_SIZE,
  NUM_CLASSES,
  PIXELS_PER_IMAGE,
} from "@edgegan/shared";
import * as tf from "@tensorflow/tfjs-core";
import { AUGMENT_PARAMS, augmentTensors } from "./diff-augment.ts";

/** One training batch on the host: B real images and M fakes to make (B and M may differ). */
export interface GanBatch {
  /** Real images [B, 28, 28, 1] in [-1, 1]. */
  images: Float32Array;
  /** One-hot labels of the real images [B, 10]. */
  labels: Float32Array;
  /** Latent vectors [M, 100] ~ N(0, 1). */
  z: Float32Array;
  /** One-hot labels to condition the fakes on [M, 10]. */
  fakeLabels: Float32Array;
  /** A teacher generator's images for (z, fakeLabels) [M, 28, 28, 1]: adds the distillation term. */
  teacherImages?: Float32Array;
  /** With `--diff-augment`: how D sees each real image [B, 4] (diff-augment.ts). */
  realAugment?: Float32Array;
  /** With `--diff-augment`: how D sees each fake [M, 4]. */
  fakeAugment?: Float32Array;
}

/**
 * Check that a batch's arrays fit together.
 * @returns B (real images) and M (fakes)
 * @throws Error naming the array, the shape it must have and the length it has.
 */
export function checkBatch(batch: GanBatch): { real: number; fake: number } {
  const rows = (name: keyof GanBatch, rowSize: number, rowShape: string): number => {
    const length = batch[name]?.length ?? 0;
    if (length === 0 || length % rowSize !== 0) {
      throw new Error(
        `batch.${name} must have shape [B, ${rowShape}] (a multiple of ${rowSize} values, at least one row), got ${length} values`,
      );
    }
    return length / rowSize;
  };
  const expect = (name: keyof GanBatch, count: number, rowSize: number, rowShape: string) => {
    const length = batch[name]?.length ?? 0;
    if (length !== count * rowSize) {
      throw new Error(
        `batch.${name} must have shape [${count}, ${rowShape}] (${count * rowSize} values), got ${length} values`,
      );
    }
  };
  const imageShape = `${IMAGE_SIZE}, ${IMAGE_SIZE}, ${IMAGE_CHANNELS}`;
  const real = rows("images", PIXELS_PER_IMAGE, imageShape);
  expect("labels", real, NUM_CLASSES, `${NUM_CLASSES}`);
  const fake = rows("z", LATENT_SIZE, `${LATENT_SIZE}`);
  expect("fakeLabels", fake, NUM_CLASSES, `${NUM_CLASSES}`);
  if (batch.teacherImages) expect("teacherImages", fake, PIXELS_PER_IMAGE, imageShape);
  if (!batch.realAugment !== !batch.fakeAugment) {
    throw new Error(
      "batch.realAugment and batch.fakeAugment come together (--diff-augment) or not at all",
    );
  }
  if (batch.realAugment) expect("realAugment", real, AUGMENT_PARAMS, `${AUGMENT_PARAMS}`);
  if (batch.fakeAugment) expect("fakeAugment", fake, AUGMENT_PARAMS, `${AUGMENT_PARAMS}`);
  return { real, fake };
}

/**
 * The batch as tensors, for one step (the caller disposes them).
 * @throws Error when the arrays do not fit together ({@link checkBatch})
 */
export function batchTensors(batch: GanBatch) {
  const { real, fake } = checkBatch(batch);
  const image = [IMAGE_SIZE, IMAGE_SIZE, IMAGE_CHANNELS] as const;
  return {
    images: tf.tensor4d(batch.images, [real, ...image]), // [B, 28, 28, 1]
    labels: tf.tensor2d(batch.labels, [real, NUM_CLASSES]), // [B, 10]
    z: tf.tensor2d(batch.z, [fake, LATENT_SIZE]), // [M, 100]
    fakeLabels: tf.tensor2d(batch.fakeLabels, [fake, NUM_CLASSES]), // [M, 10]
    teacherImages: batch.teacherImages ? tf.tensor4d(batch.teacherImages, [fake, ...image]) : null, // [M, 28, 28, 1]
    realAugment: batch.realAugment ? augmentTensors(batch.realAugment, real) : null,
    fakeAugment: batch.fakeAugment ? augmentTensors(batch.fakeAugment, fake) : null,
  };
}

/** The tensors one step makes from a {@link GanBatch} (derived, not a second batch type). */
export type StepTensors = ReturnType<typeof batchTensors>;

/** Release a step's tensors (the augmentation's nested ones too). */
export function disposeStepTensors(tensors: StepTensors): void {
  tf.dispose(Object.values(tensors).filter((t) => t !== null));
}
