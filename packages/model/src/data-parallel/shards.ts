/**
 * A batch cut into shards for the replicas, and a shard made back into a batch's tensors. Shards
 * are plain Float32Arrays (their own copies), so they can be transferred to a worker thread.
 */
import { IMAGE_CHANNELS, IMAGE_SIZE, LATENT_SIZE, NUM_CLASSES } from "@edgegan/shared";
import * as tf from "@tensorflow/tfjs-core";
import type { GanBatch } from "../train-step.ts";
import type { ShardData } from "./messages.ts";

/** Rows [from, to) of a flat [N, ...] array with `rowSize` values per row. */
const rows = (data: Float32Array, rowSize: number, from: number, to: number) =>
  data.slice(from * rowSize, to * rowSize);

/** Split a batch into `parts` shards of (nearly) equal size, as arrays. */
export function splitBatch(batch: GanBatch, parts: number): ShardData[] {
  const n = batch.z.shape[0];
  // each tensor read once (a read copies it out of the backend), then cut into shards
  const flat = (t: tf.Tensor) => ({
    data: t.dataSync() as Float32Array,
    rowSize: t.size / t.shape[0],
  });
  const images = flat(batch.images);
  const labels = flat(batch.labels);
  const z = flat(batch.z);
  const fakeLabels = flat(batch.fakeLabels);
  const teacher = batch.teacherImages ? flat(batch.teacherImages) : null;
  return Array.from({ length: parts }, (_, p) => {
    const from = Math.floor((p * n) / parts);
    const to = Math.floor(((p + 1) * n) / parts);
    const cut = ({ data, rowSize }: { data: Float32Array; rowSize: number }) =>
      rows(data, rowSize, from, to);
    return {
      n: to - from,
      images: cut(images),
      labels: cut(labels),
      z: cut(z),
      fakeLabels: cut(fakeLabels),
      teacherImages: teacher ? cut(teacher) : null,
    };
  });
}

/** A shard as the tensors of a batch (the caller disposes them). */
export function shardBatch(shard: ShardData): GanBatch {
  return {
    images: tf.tensor4d(shard.images, [shard.n, IMAGE_SIZE, IMAGE_SIZE, IMAGE_CHANNELS]),
    labels: tf.tensor2d(shard.labels, [shard.n, NUM_CLASSES]),
    z: tf.tensor2d(shard.z, [shard.n, LATENT_SIZE]),
    fakeLabels: tf.tensor2d(shard.fakeLabels, [shard.n, NUM_CLASSES]),
    ...(shard.teacherImages && {
      teacherImages: tf.tensor4d(shard.teacherImages, [
        shard.n,
        IMAGE_SIZE,
        IMAGE_SIZE,
        IMAGE_CHANNELS,
      ]),
    }),
  };
}
