/**
 * A batch cut into shards for the replicas. A shard is a batch too (`GanBatch`), with its own
 * copies of its rows, so it can be transferred to a worker thread; each replica's `trainStep`
 * makes its tensors.
 */
import { LATENT_SIZE, NUM_CLASSES, PIXELS_PER_IMAGE } from "@edgegan/shared";
import { checkBatch, type GanBatch } from "../batch.ts";
import { AUGMENT_PARAMS } from "../diff-augment.ts";

/** One replica's part of a batch. */
export interface Shard {
  batch: GanBatch;
  /** Its fraction of the batch's rows: the weight of its gradients in the average. */
  share: number;
}

/**
 * Split a batch into `parts` shards of (nearly) equal size, row i of every array going to the
 * same shard.
 * @throws Error when the batch does not fit together, has fewer rows than `parts`, or has
 *   different numbers of real images and fakes (a share must weigh both alike)
 */
export function splitBatch(batch: GanBatch, parts: number): Shard[] {
  const { real, fake } = checkBatch(batch);
  if (real !== fake) {
    throw new Error(
      `a data-parallel step needs as many fakes as real images (got ${fake} and ${real})`,
    );
  }
  if (real < parts) {
    throw new Error(
      `a batch of ${real} cannot be split over ${parts} replicas (use --workers <= the batch size)`,
    );
  }
  return Array.from({ length: parts }, (_, p) => {
    const from = Math.floor((p * real) / parts);
    const to = Math.floor(((p + 1) * real) / parts);
    const rows = (data: Float32Array, rowSize: number) => data.slice(from * rowSize, to * rowSize);
    return {
      batch: {
        images: rows(batch.images, PIXELS_PER_IMAGE),
        labels: rows(batch.labels, NUM_CLASSES),
        z: rows(batch.z, LATENT_SIZE),
        fakeLabels: rows(batch.fakeLabels, NUM_CLASSES),
        ...(batch.teacherImages && { teacherImages: rows(batch.teacherImages, PIXELS_PER_IMAGE) }),
        ...(batch.realAugment && { realAugment: rows(batch.realAugment, AUGMENT_PARAMS) }),
        ...(batch.fakeAugment && { fakeAugment: rows(batch.fakeAugment, AUGMENT_PARAMS) }),
      },
      share: (to - from) / real,
    };
  });
}
