/**
 * Data-parallel GAN steps on every core: the batch is split into N shards; the trainer trains on
 * shard 0 and N - 1 replica workers (worker_threads, each with its own wasm backend and a full
 * replica of G, D and both Adam optimisers) on the others, all with the same `trainStep`. Within
 * the step, each network's gradients are averaged across replicas through shared memory (weighted
 * by shard size: the full batch's mean loss), so every replica applies one identical Adam update,
 * first D's, then G's, and the replicas stay identical without weights ever being copied.
 *
 * BatchNorm: each replica normalises with its own shard's batch statistics, and the moving
 * statistics kept (and exported) are the trainer's, from shard 0 - what PyTorch's
 * DistributedDataParallel does with its default buffer broadcast. Without BatchNorm (the MLP
 * GAN) N shards give the one-batch gradients.
 *
 * A step's shards go to the workers when it starts, or earlier: the loop may hand the next batch
 * to `step` (`upcoming`) once the trainer's own part of the step is done, and its shards are sent
 * at once, so a worker that ends a step starts the next at once instead of sleeping through the
 * trainer's work between steps (the EMA, logging, the next batch) and two thread wake-ups.
 *
 * The replicas start from the trainer's state when the stepper is created (fresh or restored), so
 * create it after restoring a checkpoint. A replica that fails or dies ends the step with a clear
 * error (the trainer's last checkpoint stays usable); nothing waits forever.
 */
import { Worker } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import type { GanBatch } from "../batch.ts";
import { captureGanState, type GanState } from "../gan-state.ts";
import type { StepPosition } from "../lr-schedule.ts";
import { type Gan, type StepLosses, trainStep } from "../train-step.ts";
import type { FromWorker, ToWorker, WorkerBackend } from "./messages.ts";
import { type Shard, splitBatch } from "./shards.ts";

export type { AveragingTimings } from "./shared-averager.ts";

import {
  type AveragingTimings,
  createSharedAverager,
  createSharedStepMemory,
  failedReplica,
  ReplicaFailure,
  raiseFailure,
  type SharedStepMemory,
} from "./shared-averager.ts";

/** A GAN step on the whole batch, local or spread over replicas. */
export interface GanStepper {
  /** How many shards (1 = no workers). */
  readonly workers: number;
  /**
   * One step on `batch`; `position`: where it stands in the run (the rates follow it with
   * --lr-decay). `upcoming`, when given, is called once, after this thread's part of the step and
   * before it waits for the workers' end: it gives the next step (or null), whose shards go to the
   * workers at once. The next call must then be `step` on that batch.
   */
  step(
    batch: GanBatch,
    position?: StepPosition | null,
    upcoming?: () => Promise<NextStep | null>,
  ): Promise<StepLosses>;
  /** Each worker's weights (G, D: model.weights order), to check that replicas stay identical. */
  replicaWeights(): Promise<Pick<GanState, "generator" | "discriminator">[]>;
  /**
   * Where each replica's averaging time went since the stepper started (index 0: the trainer;
   * empty with one worker): to profile the step.
   */
  timings(): AveragingTimings[];
  /** End the workers (idempotent). */
  close(): Promise<void>;
}

/** A step handed to `GanStepper.step` ahead: its batch and its place in the run. */
export interface NextStep {
  batch: GanBatch;
  position: StepPosition | null;
}

/** Options mostly for tests: how long a replica waits for the others at a barrier. */
export interface StepperOptions {
  barrierTimeoutMs?: number;
}

/** One worker and its pending answers. */
interface ReplicaWorker {
  worker: Worker;
  /**
   * Send a message; the answer comes after those of the messages sent before it (the worker
   * handles them in order). Rejects if the worker fails or exits.
   */
  ask(message: ToWorker, transfer?: ArrayBuffer[]): Promise<FromWorker>;
}

function startWorker(index: number, onDeath: (error: Error) => void): ReplicaWorker {
  const worker = new Worker(new URL("./replica-worker-entry.mjs", import.meta.url));
  const pending: { resolve: (m: FromWorker) => void; reject: (e: Error) => void }[] = [];
  let dead: Error | null = null;
  const die = (error: Error) => {
    if (dead) return;
    dead = error;
    for (const waiting of pending.splice(0)) waiting.reject(error);
    onDeath(error);
  };
  worker.on("message", (message: FromWorker) => {
    const waiting = pending.shift();
    if (message.type === "failed") {
      waiting?.reject(new Error(`replica worker ${index} failed: ${message.message}`));
    } else {
      waiting?.resolve(message);
    }
  });
  worker.on("error", (error) =>
    die(new Error(`replica worker ${index} crashed: ${error.message}`)),
  );
  worker.on("exit", (code) => die(new Error(`replica worker ${index} exited (code ${code})`)));
  return {
    worker,
    ask(message, transfer = []) {
      if (dead) return Promise.reject(dead);
      return new Promise<FromWorker>((resolve, reject) => {
        pending.push({ resolve, reject });
        worker.postMessage(message, transfer);
      });
    },
  };
}

const parameterCount = (model: tfl.LayersModel) =>
  model.trainableWeights.reduce((sum, w) => sum + tf.util.sizeFromShape(w.shape as number[]), 0);

/** A shard's arrays as transferable buffers (each shard's arrays are its own copies). */
const buffersOf = (shard: GanBatch): ArrayBuffer[] =>
  Object.values(shard).map((a: Float32Array) => a.buffer as ArrayBuffer);

/**
 * Steps for `gan` over `workers` shards. With 1, the plain local step (no threads). The replicas
 * start from `gan`'s current state.
 * @param backend the TF.js backend each worker selects (as the trainer's --backend)
 * @throws Error when a worker cannot start (its reason)
 */
export async function createGanStepper(
  gan: Gan,
  workers: number,
  backend: WorkerBackend,
  options: StepperOptions = {},
): Promise<GanStepper> {
  if (workers === 1) {
    return {
      workers,
      async step(batch, position = null, upcoming) {
        const losses = trainStep(gan, batch, undefined, position);
        await upcoming?.(); // nobody to hand it to: the caller steps on it next
        return losses;
      },
      replicaWeights: async () => [],
      timings: () => [],
      close: async () => {},
    };
  }
  let failure: Error | null = null;
  const memory: SharedStepMemory = createSharedStepMemory(
    workers,
    { discriminator: parameterCount(gan.discriminator), generator: parameterCount(gan.generator) },
    options.barrierTimeoutMs,
  );
  const pool = Array.from({ length: workers - 1 }, (_, i) =>
    startWorker(i + 1, (error) => {
      failure ??= error;
    }),
  );
  try {
    const state = await captureGanState(gan);
    await Promise.all(
      pool.map((w, i) =>
        w.ask({ type: "init", config: gan.config, backend, memory, replica: i + 1, state }),
      ),
    );
  } catch (error) {
    await Promise.all(pool.map((w) => w.worker.terminate()));
    throw error;
  }
  const averager = createSharedAverager(memory, 0);
  const workerTimings: AveragingTimings[] = pool.map(() => ({
    averageMs: 0,
    waitMs: 0,
    averages: 0,
    idleMs: 0,
  }));
  let closed = false;
  /** Send a batch's other shards to the workers; the trainer's own shard and their answers. */
  const handOut = ({ batch, position }: NextStep) => {
    const [local, ...others] = splitBatch(batch, workers) as [Shard, ...Shard[]];
    const answers = pool.map(async (w, i) => {
      const { batch: shard, share } = others[i] as Shard;
      const answer = await w.ask({ type: "step", shard, share, position }, buffersOf(shard));
      if (answer.type === "stepped") workerTimings[i] = answer.timings;
      return answer;
    });
    // awaited by its step; one handed out ahead and never stepped (the run stopped) must not
    // end the process as an unhandled rejection when close() ends the workers
    for (const answer of answers) answer.catch(() => {});
    return { batch, local, answers };
  };
  let ahead: ReturnType<typeof handOut> | null = null;
  return {
    workers,
    async step(batch, position = null, upcoming) {
      if (failure) throw failure;
      if (failedReplica(memory) !== null)
        throw new Error("an earlier step failed; the replicas are out of step");
      if (ahead && ahead.batch !== batch) {
        throw new Error("step() was given another batch than the one handed out ahead");
      }
      const { local, answers } = ahead ?? handOut({ batch, position });
      ahead = null;
      try {
        averager.setShare(local.share);
        const losses = trainStep(gan, local.batch, averager, position);
        const next = upcoming ? await upcoming() : null;
        if (next) ahead = handOut(next);
        const finished = performance.now();
        await Promise.all(answers);
        averager.timings.waitMs += performance.now() - finished;
        return losses;
      } catch (error) {
        raiseFailure(memory, 0);
        const reasons = await Promise.allSettled(answers);
        if (!(error instanceof ReplicaFailure)) throw error; // the trainer's own replica failed
        // else a worker's own error says more than "replica 1 failed"
        const rejected = reasons.find((r): r is PromiseRejectedResult => r.status === "rejected");
        throw rejected?.reason instanceof Error ? rejected.reason : (failure ?? error);
      }
    },
    async replicaWeights() {
      const answers = await Promise.all(pool.map((w) => w.ask({ type: "weights" })));
      return answers.map((a) => {
        if (a.type !== "weights") throw new Error(`unexpected worker answer ${a.type}`);
        return { generator: a.generator, discriminator: a.discriminator };
      });
    },
    timings: () => [{ ...averager.timings }, ...workerTimings.map((t) => ({ ...t }))],
    async close() {
      if (closed) return;
      closed = true;
      failure ??= new Error("the replica workers were closed");
      raiseFailure(memory, 0); // wakes a worker waiting at a barrier for a step handed out ahead
      await Promise.all(pool.map((w) => w.worker.terminate()));
    },
  };
}
