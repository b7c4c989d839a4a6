/**
 * Data-parallel GAN steps on every core: the batch is split into N shards; the trainer computes
 * shard 0's gradients itself and N - 1 gradient workers (worker_threads, each with its own wasm
 * backend and replicas of G and D) compute the others from the trainer's current weights. The
 * gradients are averaged (weighted by shard size: the full batch's mean loss) and one Adam update
 * on the trainer's networks keeps every replica in step, first for D, then for G.
 *
 * BatchNorm: each replica normalises with its own shard's batch statistics, and the moving
 * statistics kept (and exported) are the trainer's, from shard 0 - what PyTorch's
 * DistributedDataParallel does with its default buffer broadcast. Without BatchNorm (the MLP
 * GAN) N shards give exactly the one-batch gradients.
 *
 * A worker that dies or fails rejects the step with a clear error; the trainer's last
 * checkpoint stays usable. Nothing waits forever.
 */
import { Worker } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import {
  checkBatch,
  discriminatorGradients,
  type Gan,
  type GanBatch,
  generatorGradients,
  named,
  type StepLosses,
  trainableVariables,
} from "../train-step.ts";
import type { FromWorker, ShardData, ToWorker, WorkerBackend } from "./messages.ts";

/** A GAN step on the whole batch, local or spread over workers. */
export interface GanStepper {
  /** How many shards (1 = no workers). */
  readonly workers: number;
  step(batch: GanBatch): Promise<StepLosses>;
  /** End the workers (idempotent). */
  close(): Promise<void>;
}

/** One worker and its pending answer. */
interface GradientWorker {
  worker: Worker;
  /** Send a message and wait for the answer (rejects if the worker fails or exits). */
  ask(message: ToWorker, transfer?: ArrayBuffer[]): Promise<FromWorker>;
}

function startWorker(index: number, onDeath: (error: Error) => void): GradientWorker {
  const worker = new Worker(new URL("./gradient-worker-entry.mjs", import.meta.url));
  let pending: { resolve: (m: FromWorker) => void; reject: (e: Error) => void } | null = null;
  let dead: Error | null = null;
  const die = (error: Error) => {
    if (dead) return;
    dead = error;
    pending?.reject(error);
    pending = null;
    onDeath(error);
  };
  worker.on("message", (message: FromWorker) => {
    if (message.type === "failed") {
      pending?.reject(new Error(`gradient worker ${index} failed: ${message.message}`));
    } else {
      pending?.resolve(message);
    }
    pending = null;
  });
  worker.on("error", (error) =>
    die(new Error(`gradient worker ${index} crashed: ${error.message}`)),
  );
  worker.on("exit", (code) => die(new Error(`gradient worker ${index} exited (code ${code})`)));
  return {
    worker,
    ask(message, transfer = []) {
      if (dead) return Promise.reject(dead);
      return new Promise<FromWorker>((resolve, reject) => {
        pending = { resolve, reject };
        worker.postMessage(message, transfer);
      });
    },
  };
}

/** Every weight of a model (trainable and BatchNorm statistics) as arrays, in model.weights order. */
function weightArrays(model: tfl.LayersModel): Float32Array[] {
  return model.weights.map((w) => w.read().dataSync() as Float32Array);
}

/** Rows [from, to) of a flat [N, ...] array with `rowSize` values per row. */
const rows = (data: Float32Array, rowSize: number, from: number, to: number) =>
  data.slice(from * rowSize, to * rowSize);

/** Split a batch into `parts` shards of (nearly) equal size, as arrays. */
export function splitBatch(batch: GanBatch, parts: number): ShardData[] {
  const n = batch.z.shape[0];
  const [images, labels, z, fakeLabels] = [
    batch.images,
    batch.labels,
    batch.z,
    batch.fakeLabels,
  ].map((t) => t.dataSync() as Float32Array) as [
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
  ];
  const teacher = batch.teacherImages ? (batch.teacherImages.dataSync() as Float32Array) : null;
  const per = (t: tf.Tensor) => t.size / t.shape[0];
  return Array.from({ length: parts }, (_, p) => {
    const from = Math.floor((p * n) / parts);
    const to = Math.floor(((p + 1) * n) / parts);
    return {
      n: to - from,
      images: rows(images, per(batch.images), from, to),
      labels: rows(labels, per(batch.labels), from, to),
      z: rows(z, per(batch.z), from, to),
      fakeLabels: rows(fakeLabels, per(batch.fakeLabels), from, to),
      teacherImages:
        teacher && batch.teacherImages ? rows(teacher, per(batch.teacherImages), from, to) : null,
    };
  });
}

function shardBatch(shard: ShardData): GanBatch {
  return {
    images: tf.tensor4d(shard.images, [shard.n, 28, 28, 1]),
    labels: tf.tensor2d(shard.labels, [shard.n, 10]),
    z: tf.tensor2d(shard.z, [shard.n, 100]),
    fakeLabels: tf.tensor2d(shard.fakeLabels, [shard.n, 10]),
    ...(shard.teacherImages && {
      teacherImages: tf.tensor4d(shard.teacherImages, [shard.n, 28, 28, 1]),
    }),
  };
}

/**
 * Average the shards' gradients, weighted by shard size, into tensors keyed by the trainer's
 * variable names (the workers answer in trainable-variable order).
 */
function averageGradients(
  model: tfl.LayersModel,
  local: tf.NamedTensorMap,
  remote: Float32Array[][],
  weights: number[],
): tf.NamedTensorMap {
  const out: tf.NamedTensorMap = {};
  for (const [i, variable] of trainableVariables(model).entries()) {
    const own = local[variable.name];
    if (!own) throw new Error(`no local gradient for ${variable.name}`);
    const sum = own.dataSync().slice() as Float32Array;
    for (let k = 0; k < sum.length; k++) sum[k] = (sum[k] as number) * (weights[0] as number);
    for (const [r, grads] of remote.entries()) {
      const g = grads[i] as Float32Array;
      const w = weights[r + 1] as number;
      for (let k = 0; k < sum.length; k++) sum[k] = (sum[k] as number) + w * (g[k] as number);
    }
    out[variable.name] = tf.tensor(sum, variable.shape);
  }
  return out;
}

/**
 * One network's update from every shard: the local shard's gradients computed while the workers
 * compute theirs, averaged by `share`, applied once with `optimizer`.
 * @returns the batch's mean loss
 */
async function updateFromShards(
  model: tfl.LayersModel,
  optimizer: tf.Optimizer,
  remote: Promise<FromWorker>[],
  computeLocal: () => { loss: tf.Scalar; grads: tf.NamedTensorMap },
  share: number[],
): Promise<number> {
  const local = computeLocal();
  const answers = (await Promise.all(remote)).map(gradientsOf);
  const grads = averageGradients(
    model,
    local.grads,
    answers.map((a) => a.grads),
    share,
  );
  optimizer.applyGradients(named(grads));
  const loss =
    (local.loss.dataSync()[0] as number) * (share[0] as number) +
    answers.reduce((sum, a, i) => sum + a.loss * (share[i + 1] as number), 0);
  tf.dispose([local.loss, ...Object.values(local.grads), ...Object.values(grads)]);
  return loss;
}

function gradientsOf(answer: FromWorker): { loss: number; grads: Float32Array[] } {
  if (answer.type !== "gradients") throw new Error(`unexpected worker answer ${answer.type}`);
  return answer;
}

/**
 * Steps for `gan` over `workers` shards. With 1, the plain local step (no threads).
 * @param backend the TF.js backend each worker selects (as the trainer's --backend)
 * @throws Error when a worker cannot start (its reason)
 */
export async function createGanStepper(
  gan: Gan,
  workers: number,
  backend: WorkerBackend,
): Promise<GanStepper> {
  let failure: Error | null = null;
  const pool = Array.from({ length: workers - 1 }, (_, i) =>
    startWorker(i + 1, (error) => {
      failure ??= error;
    }),
  );
  try {
    await Promise.all(pool.map((w) => w.ask({ type: "init", config: gan.config, backend })));
  } catch (error) {
    await Promise.all(pool.map((w) => w.worker.terminate()));
    throw error;
  }
  let closed = false;
  return {
    workers,
    async step(batch) {
      checkBatch(batch);
      if (failure) throw failure;
      const shards = splitBatch(batch, workers);
      const total = batch.z.shape[0];
      const share = shards.map((s) => s.n / total);
      const local = shardBatch(shards[0] as ShardData);
      try {
        // D: every shard's gradients from the same weights, averaged, one Adam update
        const generatorWeights = weightArrays(gan.generator);
        const discriminatorWeights = weightArrays(gan.discriminator);
        const dLoss = await updateFromShards(
          gan.discriminator,
          gan.dOptimizer,
          pool.map((w, i) =>
            w.ask({
              type: "discriminator",
              generatorWeights,
              discriminatorWeights,
              shard: shards[i + 1] as ShardData,
            }),
          ),
          () => discriminatorGradients(gan, local),
          share,
        );
        // G: through the updated D, the same way
        const updatedD = weightArrays(gan.discriminator);
        let distill: number | null = null;
        const gLoss = await updateFromShards(
          gan.generator,
          gan.gOptimizer,
          pool.map((w) => w.ask({ type: "generator", discriminatorWeights: updatedD })),
          () => {
            const g = generatorGradients(gan, local);
            if (g.distill) {
              distill = g.distill.dataSync()[0] as number;
              g.distill.dispose();
            }
            return g;
          },
          share,
        );
        return { dLoss, gLoss, distillLoss: distill };
      } finally {
        tf.dispose(Object.values(local));
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      failure ??= new Error("the gradient workers were closed");
      await Promise.all(pool.map((w) => w.worker.terminate()));
    },
  };
}
