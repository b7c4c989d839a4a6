/**
 * The messages between the trainer and its gradient workers (worker_threads): plain objects of
 * Float32Arrays, moved (transferred) rather than copied where the sender no longer needs them.
 */
import type { GanConfig } from "../train-step.ts";

/** The TF.js backend a gradient worker trains on: wasm with the training kernels, or cpu. */
export type WorkerBackend = "wasm" | "cpu";

/** A shard of a batch, flat: n images [n,28,28,1], labels/fakeLabels [n,10], z [n,100]. */
export interface ShardData {
  n: number;
  images: Float32Array;
  labels: Float32Array;
  z: Float32Array;
  fakeLabels: Float32Array;
  /** The teacher's images for (z, fakeLabels) [n,28,28,1], when distilling. */
  teacherImages: Float32Array | null;
}

/** Trainer -> worker. */
export type ToWorker =
  | { type: "init"; config: GanConfig; backend: WorkerBackend }
  | {
      type: "discriminator";
      /** Every weight of G and D (model.weights order: trainable and BatchNorm statistics). */
      generatorWeights: Float32Array[];
      discriminatorWeights: Float32Array[];
      shard: ShardData;
    }
  | { type: "generator"; discriminatorWeights: Float32Array[] };

/** Worker -> trainer. */
export type FromWorker =
  | { type: "ready"; backend: string }
  | {
      type: "gradients";
      /** The shard's mean loss. */
      loss: number;
      /** One gradient per trainable variable, in trainableWeights order. */
      grads: Float32Array[];
    }
  | { type: "failed"; message: string };
