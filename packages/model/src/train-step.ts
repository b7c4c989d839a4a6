/**
 * One conditional-GAN optimisation step (discriminator, then generator) and the bundle of
 * models + Adam optimisers it needs. Backend-agnostic: only tfjs-core ops and tf.layers, so the
 * trainer can run it on cpu, wasm (with the extra kernels) or tensorflow alike.
 *
 * BatchNorm: both networks run in training mode (batch statistics), and tf.layers updates the
 * moving statistics as a side effect of `apply(x, { training: true })`. A network's statistics are
 * updated only by its own step: G's during the G step, D's during the D step (the other network's
 * forward pass runs with its statistics restored afterwards), so each step moves them once with
 * the configured momentum. The exporter folds G's moving statistics into the ONNX graph.
 */
import { type GanSettings, parseGanSettings } from "@edgegan/shared/train-config";
import * as tf from "@tensorflow/tfjs-core";
// tfjs-layers registers every gradient on import (in Node's CJS build too; the core deep path is ESM-only)
import "@tensorflow/tfjs-layers";
import type * as tfl from "@tensorflow/tfjs-layers";
import { batchTensors, disposeStepTensors, type GanBatch, type StepTensors } from "./batch.ts";
import { type AugmentTensors, diffAugment } from "./diff-augment.ts";
import { buildDiscriminator } from "./discriminator.ts";
import { FusedAdamOptimizer } from "./fused-adam.ts";
import { buildGenerator } from "./generator.ts";
import { adversarialLosses, distillationLoss } from "./losses.ts";
import { type StepPosition, scheduledRates, setAdamRate } from "./lr-schedule.ts";
import { powerIterate } from "./spectral-norm.ts";

/** Everything a training loop needs: both networks, their optimisers, and the config. */
export interface Gan {
  generator: tfl.LayersModel;
  discriminator: tfl.LayersModel;
  gOptimizer: tf.AdamOptimizer;
  dOptimizer: tf.AdamOptimizer;
  /** Its settings (@edgegan/shared/train-config declares them, with their defaults and bounds). */
  config: GanSettings;
}

/** Losses of one {@link trainStep}, as plain numbers. */
export interface StepLosses {
  /** L_D before the D update. */
  dLoss: number;
  /** L_G before the G update (after the D update), distillation term included. */
  gLoss: number;
  /** The distillation term alone (unweighted), or null without teacher images. */
  distillLoss: number | null;
}

/**
 * Build a fresh generator, discriminator and two Adam optimisers.
 * @throws Error naming each unknown or out-of-range hyper-parameter (the trainer's flag limits).
 * @example
 * const gan = createGan({ arch: "dcgan" });
 */
export function createGan(options: Partial<GanSettings> = {}): Gan {
  // the shared schema fills the defaults and checks the bounds: the trainer's flags accept exactly what this accepts
  const config = parseGanSettings(options);
  return {
    generator: buildGenerator(config.arch, config.generatorWidth),
    discriminator: buildDiscriminator(config.arch, undefined, {
      spectralNorm: config.spectralNorm,
      minibatchStddev: config.minibatchStddev,
      projection: config.projection,
    }),
    gOptimizer: new FusedAdamOptimizer(config.gLr ?? config.lr, config.beta1),
    dOptimizer: new FusedAdamOptimizer(config.dLr ?? config.lr, config.beta1),
    config,
  };
}

/**
 * What a step (fused or textbook) does before its updates: set both Adam rates for this step's
 * position in the run, and, with spectral normalisation, the step's one power iteration on D's
 * kernels (every forward pass of the step then divides by the same vectors' estimate).
 */
export function beginStep(gan: Gan, position: StepPosition | null): void {
  const rates = scheduledRates(gan.config, position);
  setAdamRate(gan.gOptimizer, rates.g);
  setAdamRate(gan.dOptimizer, rates.d);
  powerIterate(gan.discriminator);
}

/** The two networks, as a data-parallel step names them when it averages their gradients. */
export type Network = "discriminator" | "generator";

/**
 * Turns one replica's gradients into the update every replica applies. A single replica keeps
 * them as they are; a data-parallel step averages them over the shards of the batch (so every
 * replica applies the same Adam update and stays identical).
 */
export interface GradientAverager {
  /**
   * @param loss this replica's mean loss on its shard (ownership passes to the averager)
   * @param grads this replica's gradients in trainable-variable order (ownership passes too)
   * @returns the batch's mean loss and gradients, in the same order (the caller disposes them)
   */
  average(
    network: Network,
    loss: tf.Scalar,
    grads: tf.Tensor[],
  ): { loss: number; grads: tf.Tensor[] };
}

/** One replica: the gradients are the batch's. */
export const SINGLE_REPLICA: GradientAverager = {
  average: (_network, loss, grads) => ({ loss: readScalar(loss), grads }),
};

/**
 * One step: update D on (real, fake) with L_D, then G with the non-saturating L_G through the
 * updated D (Adam on each network's gradients). With `--diff-augment` D sees every image through
 * the batch's augmentation, a fake through the same one in both halves. G's forward pass runs
 * once: its output, detached, is D's fake batch, and the same pass (still on G's tape) feeds L_G.
 * That is the textbook "D step, then G step on a fresh forward from the same z" to float rounding
 * (G's weights do not change in between) at one G forward less. G's BatchNorm statistics move
 * once, in that pass.
 *
 * The step makes the batch's tensors and releases them with every intermediate one. The first
 * call also creates the optimisers' slot variables.
 * @param batch the host arrays (a replica's shard in a data-parallel step)
 * @param averager how gradients become the update (data-parallel replicas pass theirs)
 * @param position where the step stands in its run: the rates follow it with `--lr-decay`
 *   (lr-schedule.ts); without decay it may be null
 * @returns the two losses as numbers (reading them synchronises with the backend).
 * @throws Error when a batch array has the wrong length (`checkBatch`), or a decaying rate has
 *   no position.
 */
export function trainStep(
  gan: Gan,
  batch: GanBatch,
  averager: GradientAverager = SINGLE_REPLICA,
  position: StepPosition | null = null,
): StepLosses {
  const tensors = batchTensors(batch);
  try {
    beginStep(gan, position);
    return fusedStep(gan, tensors, averager);
  } finally {
    disposeStepTensors(tensors);
  }
}

/**
 * D's logits for `images` under `labels` in training mode, the images as they are or through the
 * step's augmentation (`--diff-augment`): every pass of D in a step, fused or textbook.
 * @param images [N, 28, 28, 1]
 * @param labels one-hot [N, 10]
 * @returns [N, 1]
 */
export function discriminate(
  d: tfl.LayersModel,
  images: tf.Tensor4D,
  labels: tf.Tensor2D,
  augment: AugmentTensors | null,
): tf.Tensor2D {
  const seen = augment ? diffAugment(images, augment) : images;
  return d.apply([seen, labels], { training: true }) as tf.Tensor2D;
}

function fusedStep(gan: Gan, batch: StepTensors, averager: GradientAverager): StepLosses {
  const { generator: g, discriminator: d } = gan;
  const { z, fakeLabels, teacherImages, fakeAugment } = batch;
  let dLoss = Number.NaN;
  let distill: tf.Scalar | null = null;
  const gVariables = trainableVariables(g);
  const { value, grads } = tf.variableGrads(() => {
    const fake = g.apply([z, fakeLabels], { training: true }) as tf.Tensor4D; // [M, 28, 28, 1]
    dLoss = updateDiscriminator(gan, batch, detached(fake), averager);
    const losses = adversarialLosses(gan.config.loss, gan.config.realLabelTarget);
    const adversarial = withFrozenBatchNormStats(d, () =>
      losses.generator(discriminate(d, fake, fakeLabels, fakeAugment)),
    );
    if (!teacherImages) return adversarial;
    distill = tf.keep(distillationLoss(fake, teacherImages));
    return tf.add(adversarial, tf.mul(distill, gan.config.distillWeight)) as tf.Scalar;
  }, gVariables);
  const gLoss = applyAveraged("generator", gan.gOptimizer, gVariables, value, grads, averager);
  return { dLoss, gLoss, distillLoss: distill ? readScalar(distill) : null };
}

/**
 * D's half of the step on (real, `fake`): L_D's gradients, averaged, applied with D's Adam. D's
 * BatchNorm statistics move once for the real and once for the fake pass. Disposes `fake`.
 * @returns the batch's L_D before the update
 */
function updateDiscriminator(
  gan: Gan,
  batch: StepTensors,
  fake: tf.Tensor4D,
  averager: GradientAverager,
): number {
  const d = gan.discriminator;
  const variables = trainableVariables(d);
  const { value, grads } = tf.variableGrads(() => {
    const realLogits = discriminate(d, batch.images, batch.labels, batch.realAugment); // [B, 1]
    const fakeLogits = discriminate(d, fake, batch.fakeLabels, batch.fakeAugment); // [M, 1]
    return adversarialLosses(gan.config.loss, gan.config.realLabelTarget).discriminator(
      realLogits,
      fakeLogits,
    );
  }, variables);
  fake.dispose();
  return applyAveraged("discriminator", gan.dOptimizer, variables, value, grads, averager);
}

/** Average a network's gradients over the replicas and apply them with its optimiser. */
function applyAveraged(
  network: Network,
  optimizer: tf.Optimizer,
  variables: tf.Variable[],
  loss: tf.Scalar,
  grads: tf.NamedTensorMap,
  averager: GradientAverager,
): number {
  const ordered = variables.map((v) => {
    const grad = grads[v.name];
    if (!grad) throw new Error(`no ${network} gradient for ${v.name}`);
    return grad;
  });
  const averaged = averager.average(network, loss, ordered);
  const byName: tf.NamedTensorMap = {};
  variables.forEach((v, i) => {
    byName[v.name] = averaged.grads[i] as tf.Tensor;
  });
  optimizer.applyGradients(named(byName));
  tf.dispose(averaged.grads);
  return averaged.loss;
}

/**
 * A copy of `x` that no gradient flows back through (TF.js has no stop-gradient op): D's step
 * treats the fakes as data, so L_D's gradients never reach G's tape.
 */
function detached(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tensor4d(x.dataSync() as Float32Array, x.shape);
}

/**
 * Gradients by variable name, typed as Adam's applyGradients declares them (it reads only the
 * names and the gradient tensors, as `optimizer.minimize` passes them).
 */
export function named(grads: tf.NamedTensorMap): Parameters<tf.AdamOptimizer["applyGradients"]>[0] {
  return grads as Parameters<tf.AdamOptimizer["applyGradients"]>[0];
}

/** A scalar's value; the scalar is disposed. */
function readScalar(t: tf.Scalar): number {
  const v = t.dataSync()[0] as number;
  t.dispose();
  return v;
}

/** The tf.Variables behind a model's trainable weights (what the optimiser updates). */
export function trainableVariables(model: tfl.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/**
 * Run `fn` (which may call `model.apply(..., { training: true })`) and then put the model's
 * BatchNorm moving statistics back as they were, so only the model's own step moves them.
 */
export function withFrozenBatchNormStats<T>(model: tfl.LayersModel, fn: () => T): T {
  const stats = model.layers
    .filter((l) => l.getClassName() === "BatchNormalization")
    .flatMap((l) => l.nonTrainableWeights);
  if (stats.length === 0) return fn();
  const saved = stats.map((w) => tf.clone(w.read()));
  try {
    return fn();
  } finally {
    stats.forEach((w, i) => {
      w.write(saved[i] as tf.Tensor);
    });
    tf.dispose(saved);
  }
}
