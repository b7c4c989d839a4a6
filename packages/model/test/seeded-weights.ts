/**
 * Test support: give a model seeded weights in the DCGAN initialisation (kernels and embeddings
 * N(0, std), std 0.02 unless asked, BatchNorm gamma and variance 1, biases, beta and means 0). TF.js's initialisers are
 * unseeded, so a test whose assertion has a margin (a loss that must fall, a logit that must move)
 * passes or fails with the draw; seeded, it is the same on every run and every machine.
 */
import { createRng } from "@edgegan/shared/rng";
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";

/** The weights `seedWeights(model, seed, std)` sets, one tensor per `model.weights` entry (caller disposes). */
export function seededWeights(model: tfl.LayersModel, seed: number, std = 0.02): tf.Tensor[] {
  const rng = createRng(seed);
  return model.weights.map((w) => {
    const shape = w.shape as number[];
    if (/gamma|moving_variance/.test(w.name)) return tf.ones(shape);
    if (/beta|bias|moving_mean/.test(w.name)) return tf.zeros(shape);
    const size = shape.reduce((a, b) => a * b, 1);
    return tf.tensor(
      Float32Array.from({ length: size }, () => std * rng.normal()),
      shape,
    );
  });
}

/** Overwrite every weight of `model` with `seededWeights(model, seed, std)`. */
export function seedWeights(model: tfl.LayersModel, seed: number, std = 0.02): void {
  const weights = seededWeights(model, seed, std);
  model.setWeights(weights);
  tf.dispose(weights);
}
