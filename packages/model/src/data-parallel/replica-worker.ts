/**
 * A replica worker (one worker_thread): its own TF.js backend and a full replica of the GAN (G, D
 * and both Adam optimisers), started identical to the trainer's. Each step it trains on its shard
 * of the batch with the same `trainStep` as the trainer; the gradients are averaged with the other
 * replicas through shared memory, so every replica applies the same update and stays identical.
 */
import { parentPort } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs-core";
import { applyGanState, modelWeights } from "../gan-state.ts";
import { createGan, type Gan, trainStep } from "../train-step.ts";
import { initWasmTrainingBackend } from "../wasm-backend.ts";
import type { FromWorker, ToWorker } from "./messages.ts";
import { createSharedAverager, raiseFailure, type SharedStepMemory } from "./shared-averager.ts";

const port = parentPort;
if (!port) throw new Error("replica-worker.ts runs as a worker_thread of the trainer");

let replica: {
  gan: Gan;
  memory: SharedStepMemory;
  index: number;
  averager: ReturnType<typeof createSharedAverager>;
} | null = null;
/** When this worker answered its last step (its idle time runs from there to the next shard). */
let answeredAt: number | null = null;

async function handle(message: ToWorker): Promise<FromWorker> {
  if (message.type === "init") {
    if (message.backend === "wasm") await initWasmTrainingBackend();
    else await tf.setBackend("cpu");
    const gan = createGan(message.config);
    await applyGanState(gan, message.state);
    replica = {
      gan,
      memory: message.memory,
      index: message.replica,
      averager: createSharedAverager(message.memory, message.replica),
    };
    return { type: "ready", backend: tf.getBackend() };
  }
  if (!replica) throw new Error("replica worker used before init");
  if (message.type === "weights") {
    return {
      type: "weights",
      generator: modelWeights(replica.gan.generator),
      discriminator: modelWeights(replica.gan.discriminator),
    };
  }
  const { averager } = replica;
  if (answeredAt !== null) averager.timings.idleMs += performance.now() - answeredAt;
  averager.setShare(message.share);
  trainStep(replica.gan, message.shard, averager, message.position);
  answeredAt = performance.now();
  return { type: "stepped", timings: { ...averager.timings } };
}

// one message at a time, in order
let queue = Promise.resolve();
port.on("message", (message: ToWorker) => {
  queue = queue.then(async () => {
    try {
      port.postMessage(await handle(message));
    } catch (error) {
      if (replica) raiseFailure(replica.memory, replica.index);
      port.postMessage({
        type: "failed",
        message: error instanceof Error ? error.message : String(error),
      } satisfies FromWorker);
    }
  });
});
