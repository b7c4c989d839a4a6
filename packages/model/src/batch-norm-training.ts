/**
 * BatchNorm in training mode with its gradient in closed form.
 *
 * Why: tf.layers normalises a training batch with tf.moments (Mean, Sub, Square, Mean) and
 * FusedBatchNorm, and the tape differentiates all five: FusedBatchNorm's gradient (about 20
 * kernels, including the gradients for the batch mean and variance) and then back through the
 * moments, ~50 kernels per layer and pass. The result is the textbook expression, which needs
 * two channel sums and a few passes over the activations:
 *
 *   x^ = (x - mean) * r,  r = 1 / sqrt(var + eps)            (var: the biased batch variance)
 *   dbeta = sum(dy),  dgamma = sum(dy * x^)                    (sums over all but the channel axis)
 *   dx = (dy - (x^ * dgamma + dbeta) / N) * gamma * r          (N values per channel)
 *
 * The forward pass is tf.layers' own (tf.moments, then tf.batchNorm): the same values, bits and
 * moving-statistics update. Only the gradient is computed differently (equal up to float32
 * rounding: within 1e-6 relative in the tests), on wasm by one kernel (kernels/batch-norm-grad.ts,
 * two passes), elsewhere in TF.js ops. {@link enableClosedFormBatchNorm} patches
 * tf.layers' BatchNormalization (process-wide, idempotent, like pruned-fused-gradients.ts);
 * inference, and layers normalising another axis than the last, keep the stock code.
 */
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { BATCH_NORM_GRAD } from "./kernels/batch-norm-grad.ts";

/** A batch's normalised output and the statistics it was normalised with ([channels] each). */
export interface BatchNormResult {
  y: tf.Tensor;
  mean: tf.Tensor;
  variance: tf.Tensor;
}

/** Every axis but the last (the channels'): the axes BatchNorm's statistics reduce. */
function leadingAxes(x: tf.Tensor): number[] {
  return Array.from({ length: x.rank - 1 }, (_, i) => i);
}

/** The tensors the closed form reads: the forward's input, its statistics and gamma, and dy. */
export interface BatchNormGradInputs {
  dy: tf.Tensor;
  x: tf.Tensor;
  mean: tf.Tensor;
  variance: tf.Tensor;
  gamma: tf.Tensor;
}

/** The closed form in TF.js ops: [dx, dgamma, dbeta] (any backend, any channel count). */
export function closedFormGradientsInOps(t: BatchNormGradInputs, epsilon: number): tf.Tensor[] {
  const axes = leadingAxes(t.x);
  const count = t.x.size / (t.x.shape[t.x.rank - 1] as number);
  const r = tf.rsqrt(tf.add(t.variance, epsilon));
  const xHat = tf.mul(tf.sub(t.x, t.mean), r);
  const dBeta = tf.sum(t.dy, axes);
  const dGamma = tf.sum(tf.mul(t.dy, xHat), axes);
  const centred = tf.add(tf.mul(xHat, tf.div(dGamma, count)), tf.div(dBeta, count));
  const dx = tf.mul(tf.sub(t.dy, centred), tf.mul(t.gamma, r));
  return [dx, dGamma, dBeta];
}

/**
 * The closed-form gradients of {@link batchNormInTraining} for x, gamma and beta: in two passes
 * of kernels/batch-norm-grad.ts where the backend has it (and channels come in fours), else in
 * TF.js ops.
 */
function closedFormGradients(dy: tf.Tensor, saved: tf.Tensor[], epsilon: number): tf.Tensor[] {
  const [x, mean, variance, gamma] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
  const inputs = { dy, x, mean, variance, gamma };
  const channels = x.shape[x.rank - 1] as number;
  if (channels % 4 === 0 && tf.getKernel(BATCH_NORM_GRAD, tf.getBackend()) !== undefined)
    return tf.engine().runKernel(BATCH_NORM_GRAD, inputs, { epsilon }) as unknown as tf.Tensor[];
  return closedFormGradientsInOps(inputs, epsilon);
}

/**
 * Normalise `x` over every axis but the last with its batch statistics, scale by `gamma`, shift
 * by `beta` (both [channels]); differentiable in all three, by the closed form above.
 * @returns y (x's shape), and the batch mean and variance, which the caller must dispose.
 */
export function batchNormInTraining(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  epsilon: number,
): BatchNormResult {
  const axes = leadingAxes(x);
  let stats: { mean: tf.Tensor; variance: tf.Tensor } | undefined;
  const normalise = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xs, g, b, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const { mean, variance } = tf.moments(xs, axes); // as tf.layers computes them
    const value = tf.batchNorm(xs, mean, variance, b, g, epsilon);
    save([xs, mean, variance, g]);
    stats = { mean: tf.keep(mean), variance: tf.keep(variance) }; // outlive the forward's tidy
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => closedFormGradients(dy, saved, epsilon),
    };
  });
  const y = normalise(x, gamma, beta);
  if (stats === undefined) throw new Error("batchNormInTraining: the forward pass did not run");
  return { y, ...stats };
}

/** The fields of tf.layers' BatchNormalization (4.22) that the training path reads. */
interface BatchNormLayer {
  axis: number;
  momentum: number;
  epsilon: number;
  gamma?: tfl.LayerVariable;
  beta?: tfl.LayerVariable;
  movingMean: tfl.LayerVariable;
  movingVariance: tfl.LayerVariable;
  call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor;
}

/** moving <- moving - (moving - batch) * (1 - momentum), as tf.layers updates it. */
function updateMovingAverage(moving: tfl.LayerVariable, batch: tf.Tensor, momentum: number): void {
  tf.tidy(() => {
    const current = moving.read();
    moving.write(tf.sub(current, tf.mul(tf.sub(current, batch), 1 - momentum)));
  });
}

/** The training-mode call with the closed-form gradient, or null where the stock one must run. */
function closedFormCall(
  layer: BatchNormLayer,
  inputs: tf.Tensor | tf.Tensor[],
  training: boolean,
): tf.Tensor | null {
  const x = Array.isArray(inputs) ? inputs[0] : inputs;
  const oneInput = !Array.isArray(inputs) || inputs.length === 1;
  if (!training || x === undefined || !oneInput || !layer.gamma || !layer.beta) return null;
  const axis = layer.axis < 0 ? layer.axis + x.rank : layer.axis;
  if (axis !== x.rank - 1) return null;
  const gamma = layer.gamma;
  const beta = layer.beta;
  return tf.tidy(() => {
    const { y, mean, variance } = batchNormInTraining(x, gamma.read(), beta.read(), layer.epsilon);
    updateMovingAverage(layer.movingMean, mean, layer.momentum);
    updateMovingAverage(layer.movingVariance, variance, layer.momentum);
    tf.dispose([mean, variance]); // kept by batchNormInTraining, so tidy would not
    return y;
  });
}

const PATCHED = Symbol.for("edgegan.closedFormBatchNorm");

type Prototype = BatchNormLayer & Record<symbol, unknown>;

let prototype: Prototype | undefined;

/** tf.layers' BatchNormalization prototype (the class itself is not exported), found once. */
function batchNormPrototype(): Prototype {
  prototype ??= Object.getPrototypeOf(tfl.layers.batchNormalization({})) as Prototype;
  return prototype;
}

/** Route every BatchNormalization layer's training call through the closed form (idempotent). */
export function enableClosedFormBatchNorm(): void {
  const proto = batchNormPrototype();
  if (proto[PATCHED] !== undefined) return;
  const stock = proto.call;
  proto.call = function (this: BatchNormLayer, inputs, kwargs) {
    return (
      closedFormCall(this, inputs, kwargs?.training === true) ?? stock.call(this, inputs, kwargs)
    );
  };
  proto[PATCHED] = stock;
}

/** Undo {@link enableClosedFormBatchNorm} (tf.layers' own training call again). */
export function disableClosedFormBatchNorm(): void {
  const proto = batchNormPrototype();
  const stock = proto[PATCHED] as BatchNormLayer["call"] | undefined;
  if (stock === undefined) return;
  proto.call = stock;
  delete proto[PATCHED];
}

/** Whether {@link enableClosedFormBatchNorm} is in effect. */
export function closedFormBatchNormEnabled(): boolean {
  return batchNormPrototype()[PATCHED] !== undefined;
}
