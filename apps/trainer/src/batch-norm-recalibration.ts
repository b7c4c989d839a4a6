/**
 * Recomputes the BatchNorm statistics of an EMA generator.
 *
 * The EMA averages weights, but BatchNorm's moving mean/variance belong to the activations of
 * the live weights. Before sampling or export we measure, for each BatchNormalization layer,
 * the exact mean and variance of its input over a few batches of random (z, label), and
 * store them as the layer's moving statistics: the folded ONNX graph then sees consistent BN.
 */

import { LATENT_SIZE, NUM_CLASSES, oneHot } from "@edgegan/shared";
import { createRng } from "@edgegan/shared/rng";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";

/**
 * Set every BatchNormalization layer's moving mean/variance to the statistics of its input
 * over `batches` batches of `batchSize` samples drawn with `seed`, labels uniform over the first
 * `classCount` classes (those the model was trained on).
 */
export function recalibrateBatchNorm(
  generator: tfl.LayersModel,
  {
    batches = 8,
    batchSize = 256,
    seed = 1,
    classCount = NUM_CLASSES,
  }: { batches?: number; batchSize?: number; seed?: number; classCount?: number } = {},
): void {
  const bnLayers = generator.layers.filter(
    (layer) => layer.getClassName() === "BatchNormalization",
  );
  if (bnLayers.length === 0) return;
  const probe = tfl.model({
    inputs: generator.inputs,
    outputs: bnLayers.map((layer) => layer.input as tfl.SymbolicTensor),
  });
  const rng = createRng(seed);
  const sums = bnLayers.map(() => ({
    mean: null as tf.Tensor | null,
    meanSq: null as tf.Tensor | null,
  }));
  for (let b = 0; b < batches; b++) {
    const z = Float32Array.from({ length: batchSize * LATENT_SIZE }, () => rng.normal());
    const labels = oneHot(Array.from({ length: batchSize }, () => rng.int(classCount)));
    tf.tidy(() => {
      const outs = probe.predict([
        tf.tensor2d(z, [batchSize, LATENT_SIZE]),
        tf.tensor2d(labels, [batchSize, NUM_CLASSES]),
      ]);
      const list = Array.isArray(outs) ? outs : [outs];
      list.forEach((x, i) => {
        const axes = x.shape.slice(0, -1).map((_, a) => a);
        const mean = tf.mean(x, axes);
        const meanSq = tf.mean(tf.square(x), axes);
        const acc = sums[i] as { mean: tf.Tensor | null; meanSq: tf.Tensor | null };
        acc.mean = tf.keep(acc.mean ? tf.add(acc.mean, mean) : mean);
        acc.meanSq = tf.keep(acc.meanSq ? tf.add(acc.meanSq, meanSq) : meanSq);
      });
    });
  }
  bnLayers.forEach((layer, i) => {
    const acc = sums[i] as { mean: tf.Tensor; meanSq: tf.Tensor };
    const [mean, variance] = tf.tidy(() => {
      const m = tf.div(acc.mean, batches);
      return [m, tf.relu(tf.sub(tf.div(acc.meanSq, batches), tf.square(m)))];
    });
    // [gamma, beta, movingMean, movingVariance]; these are the layer's own variables: not disposed here
    const weights = layer.getWeights();
    if (weights.length !== 4)
      throw new Error(`BatchNormalization ${layer.name} has ${weights.length} weights, expected 4`);
    layer.setWeights([
      weights[0] as tf.Tensor,
      weights[1] as tf.Tensor,
      mean as tf.Tensor,
      variance as tf.Tensor,
    ]);
    tf.dispose([mean, variance, acc.mean, acc.meanSq]);
  });
}
