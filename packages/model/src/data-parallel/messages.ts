/**
 * The messages between the trainer and its replica workers (worker_threads): plain objects of
 * typed arrays (a shard is a `GanBatch`, a start state a `GanState`), moved (transferred) rather
 * than copied where the sender no longer needs them.
 * Gradients do not travel as messages: they meet in shared memory (shared-averager.ts).
 */
import type { GanSettings } from "@edgegan/shared/train-config";
import type { GanBatch } from "../batch.ts";
import type { GanState, TensorData } from "../gan-state.ts";
import type { StepPosition } from "../lr-schedule.ts";
import type { AveragingTimings, SharedStepMemory } from "./shared-averager.ts";

/** The TF.js backend a replica worker trains on: wasm with the training kernels, or cpu. */
export type WorkerBackend = "wasm" | "cpu";

/** Trainer -> worker. */
export type ToWorker =
  | {
      type: "init";
      config: GanSettings;
      backend: WorkerBackend;
      memory: SharedStepMemory;
      /** This worker's replica index (the trainer is 0). */
      replica: number;
      /** The trainer's state, which the replica starts from. */
      state: GanState;
    }
  /**
   * Train on a shard of the batch; `share`: its fraction of the batch's rows; `position`: the
   * step's place in the run, the same for every replica (their rates follow it).
   */
  | { type: "step"; shard: GanBatch; share: number; position: StepPosition | null }
  /** Ask for the replica's weights (to check that replicas stay identical). */
  | { type: "weights" };

/** Worker -> trainer. */
export type FromWorker =
  | { type: "ready"; backend: string }
  /** A step done; the replica's averaging timings so far. */
  | { type: "stepped"; timings: AveragingTimings }
  | { type: "weights"; generator: TensorData[]; discriminator: TensorData[] }
  | { type: "failed"; message: string };
