/**
 * A gradient worker (one worker_thread): its own TF.js backend and replicas of G and D. Each
 * step it takes the trainer's current weights and one shard of the batch, and answers the
 * gradients of that shard: first D's, then (after the trainer's D update) G's. It keeps no
 * state between steps but the shard, so it can never drift from the trainer's weights.
 */
import { parentPort } from "node:worker_threads";
import { IMAGE_CHANNELS, IMAGE_SIZE, LATENT_SIZE, NUM_CLASSES } from "@edgegan/shared";
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import {
  createGan,
  discriminatorGradients,
  type Gan,
  type GanBatch,
  generatorGradients,
  trainableVariables,
} from "../train-step.ts";
import { initWasmTrainingBackend } from "../wasm-backend.ts";
import type { FromWorker, ShardData, ToWorker } from "./messages.ts";

const port = parentPort;
if (!port) throw new Error("gradient-worker.ts runs as a worker_thread of the trainer");

let gan: Gan | null = null;
let batch: GanBatch | null = null;

function setWeights(model: tfl.LayersModel, values: Float32Array[]): void {
  const tensors = model.weights.map((w, i) =>
    tf.tensor(values[i] as Float32Array, w.shape as number[]),
  );
  model.setWeights(tensors);
  tf.dispose(tensors);
}

function toBatch(shard: ShardData): GanBatch {
  const { n } = shard;
  return {
    images: tf.tensor4d(shard.images, [n, IMAGE_SIZE, IMAGE_SIZE, IMAGE_CHANNELS]),
    labels: tf.tensor2d(shard.labels, [n, NUM_CLASSES]),
    z: tf.tensor2d(shard.z, [n, LATENT_SIZE]),
    fakeLabels: tf.tensor2d(shard.fakeLabels, [n, NUM_CLASSES]),
    ...(shard.teacherImages && {
      teacherImages: tf.tensor4d(shard.teacherImages, [n, IMAGE_SIZE, IMAGE_SIZE, IMAGE_CHANNELS]),
    }),
  };
}

/** Gradients in the model's trainable-variable order, as transferable arrays. */
function answer(model: tfl.LayersModel, loss: tf.Scalar, grads: tf.NamedTensorMap): void {
  const list = trainableVariables(model).map((v) => {
    const g = grads[v.name];
    if (!g) throw new Error(`no gradient for ${v.name}`);
    return g.dataSync() as Float32Array;
  });
  const message: FromWorker = {
    type: "gradients",
    loss: loss.dataSync()[0] as number,
    grads: list,
  };
  tf.dispose([loss, ...Object.values(grads)]);
  port?.postMessage(
    message,
    list.map((a) => a.buffer as ArrayBuffer),
  );
}

async function handle(message: ToWorker): Promise<void> {
  if (message.type === "init") {
    if (message.backend === "wasm") await initWasmTrainingBackend();
    else await tf.setBackend("cpu");
    gan = createGan(message.config);
    port?.postMessage({ type: "ready", backend: tf.getBackend() } satisfies FromWorker);
    return;
  }
  if (!gan) throw new Error("gradient worker used before init");
  if (message.type === "discriminator") {
    if (batch) tf.dispose(Object.values(batch));
    setWeights(gan.generator, message.generatorWeights);
    setWeights(gan.discriminator, message.discriminatorWeights);
    batch = toBatch(message.shard);
    const { loss, grads } = discriminatorGradients(gan, batch);
    answer(gan.discriminator, loss, grads);
    return;
  }
  if (!batch) throw new Error("generator gradients asked before the discriminator's");
  setWeights(gan.discriminator, message.discriminatorWeights);
  const { loss, grads, distill } = generatorGradients(gan, batch);
  distill?.dispose();
  answer(gan.generator, loss, grads);
}

// one message at a time, in order
let queue = Promise.resolve();
port.on("message", (message: ToWorker) => {
  queue = queue.then(() =>
    handle(message).catch((error: unknown) => {
      port.postMessage({
        type: "failed",
        message: error instanceof Error ? error.message : String(error),
      } satisfies FromWorker);
    }),
  );
});
