/**
 * The messages between the trainer and its replica workers (worker_threads): plain objects of
 * Float32Arrays, moved (transferred) rather than copied where the sender no longer needs them.
 * Gradients do not travel as messages: they meet in shared memory (shared-averager.ts).
 */
import type { GanSettings } from "@edgegan/shared/train-config";
import type { AveragingTimings, SharedStepMemory } from "./shared-averager.ts";

/** The TF.js backend a replica worker trains on: wasm with the training kernels, or cpu. */
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

/** An optimiser's state as TF.js's getWeights lists it (iterations first, then the slots). */
export type OptimizerState = { name: string; shape: number[]; values: Float32Array }[];

/** The trainer's networks and optimisers, to start a replica identical to them. */
export interface ReplicaState {
  /** Every weight (model.weights order: trainable and BatchNorm statistics). */
  generatorWeights: Float32Array[];
  discriminatorWeights: Float32Array[];
  gOptimizer: OptimizerState;
  dOptimizer: OptimizerState;
}

/** Trainer -> worker. */
export type ToWorker =
  | {
      type: "init";
      config: GanSettings;
      backend: WorkerBackend;
      memory: SharedStepMemory;
      /** This worker's replica index (the trainer is 0). */
      replica: number;
      state: ReplicaState;
    }
  | { type: "step"; shard: ShardData; share: number }
  /** Ask for the replica's weights (to check that replicas stay identical). */
  | { type: "weights" };

/** Worker -> trainer. */
export type FromWorker =
  | { type: "ready"; backend: string }
  /** A step done; the replica's averaging timings so far. */
  | { type: "stepped"; timings: AveragingTimings }
  | { type: "weights"; generator: Float32Array[]; discriminator: Float32Array[] }
  | { type: "failed"; message: string };
