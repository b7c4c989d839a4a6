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
  const flat = (t: tf.Tensor) => t.dataSync() as Float32Array;
  const per = (t: tf.Tensor) => t.size / t.shape[0];
  const [images, labels, z, fakeLabels] = [batch.images, batch.labels, batch.z, batch.fakeLabels];
  const teacher = batch.teacherImages;
  return Array.from({ length: parts }, (_, p) => {
    const from = Math.floor((p * n) / parts);
    const to = Math.floor(((p + 1) * n) / parts);
    const cut = (t: tf.Tensor) => rows(flat(t), per(t), from, to);
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
