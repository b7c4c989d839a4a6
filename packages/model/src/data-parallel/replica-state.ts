/**
 * A GAN's full training state (weights, BatchNorm statistics, both Adam optimisers) as plain
 * arrays: the trainer captures it once when the replicas start, and each worker loads it, so every
 * replica begins identical to the trainer (fresh, or restored from a checkpoint).
 */
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import type { Gan } from "../train-step.ts";
import type { OptimizerState, ReplicaState } from "./messages.ts";

/** Every weight of a model (trainable and BatchNorm statistics), in model.weights order. */
export function weightArrays(model: tfl.LayersModel): Float32Array[] {
  return model.weights.map((w) => w.read().dataSync().slice() as Float32Array);
}

async function optimizerState(optimizer: tf.Optimizer): Promise<OptimizerState> {
  const weights = await optimizer.getWeights();
  return weights.map(({ name, tensor }) => ({
    name,
    shape: tensor.shape,
    values: Float32Array.from(tensor.dataSync()),
  }));
}

export async function captureReplicaState(gan: Gan): Promise<ReplicaState> {
  return {
    generatorWeights: weightArrays(gan.generator),
    discriminatorWeights: weightArrays(gan.discriminator),
    gOptimizer: await optimizerState(gan.gOptimizer),
    dOptimizer: await optimizerState(gan.dOptimizer),
  };
}

function setWeights(model: tfl.LayersModel, values: Float32Array[]): void {
  if (values.length !== model.weights.length) {
    throw new Error(
      `${model.name}: ${values.length} weights sent, the replica has ${model.weights.length}`,
    );
  }
  const tensors = model.weights.map((w, i) =>
    tf.tensor(values[i] as Float32Array, w.shape as number[]),
  );
  model.setWeights(tensors);
  tf.dispose(tensors);
}

async function setOptimizerState(optimizer: tf.Optimizer, state: OptimizerState): Promise<void> {
  const tensors = state.map(({ name, shape, values }) => ({
    name,
    tensor: tf.tensor(values, shape),
  }));
  await optimizer.setWeights(tensors);
  tf.dispose(tensors.map((t) => t.tensor));
}

/** Make `gan` (a fresh replica of the same config) identical to the captured state. */
export async function applyReplicaState(gan: Gan, state: ReplicaState): Promise<void> {
  setWeights(gan.generator, state.generatorWeights);
  setWeights(gan.discriminator, state.discriminatorWeights);
  await setOptimizerState(gan.gOptimizer, state.gOptimizer);
  await setOptimizerState(gan.dOptimizer, state.dOptimizer);
}
