/**
 * Exponential moving average of the generator's weights: the generator we export.
 *
 * Averaging over the last ~1/(1-decay) steps smooths the oscillation of adversarial training;
 * the averaged generator gives cleaner samples than the live one. A warm-up
 * (decay_t = min(decay, (1 + t) / (10 + t))) keeps early averages from clinging to the init.
 *
 * The averages live on the host (float32 arrays) and are updated in place, in one pass over each
 * weight read where the backend keeps it (a view of the wasm heap: no copy, no tensor made): the
 * update runs every step on the trainer's thread while the replica worker waits for it. Each value
 * is f32(f32(shadow * d) + f32(w * f32(1 - d))) with d = f32(decay_t): the float32 operations, in
 * the order, of tf.add(tf.mul(shadow, decay_t), tf.mul(w, 1 - decay_t)), so the averages are the
 * ones the tensor formulation gives, bit for bit (ema.test.ts checks it on wasm and cpu).
 */
import { dataTensor, type TensorData, tensorData } from "@edgegan/model/gan-state";
import { hostValues } from "@edgegan/model/host-values";
import * as tf from "@tensorflow/tfjs-core";
import type { LayersModel } from "@tensorflow/tfjs-layers";

/** The decay of step `step` (steps done before it): the warm-up, then `decay`. */
export function emaDecayAt(decay: number, step: number): number {
  return Math.min(decay, (1 + step) / (10 + step));
}

/** One averaged weight: its shape and float32 values. */
type Shadow = TensorData & { values: Float32Array };

/** shadow <- f32(f32(shadow * keep) + f32(values * take)), element by element. */
function blendInto(shadow: Float32Array, values: Float32Array, keep: number, take: number): void {
  const f = Math.fround;
  // a product of two float32s is exact in float64, so fround rounds it once, as float32 hardware
  // does; storing the float64 sum of two float32s rounds it as one float32 addition would
  for (let i = 0; i < shadow.length; i++) {
    shadow[i] = f((shadow[i] as number) * keep) + f((values[i] as number) * take);
  }
}

export class WeightEma {
  /** One per weight of the model, in model.weights order. */
  private readonly shadows: Shadow[];

  /** Start the average at the model's current weights (all weights, BN statistics too). */
  constructor(
    model: LayersModel,
    readonly decay: number,
  ) {
    this.shadows = model.weights.map((w) => {
      const data = tensorData(w.read(), `generator weight ${w.name}`);
      if (!(data.values instanceof Float32Array)) {
        throw new Error(`generator weight ${w.name} is ${data.dtype}; the EMA averages float32`);
      }
      return { ...data, values: data.values };
    });
  }

  /** Fold the model's current weights into the average; `step`: steps done before this one. */
  update(model: LayersModel, step: number): void {
    const decay = emaDecayAt(this.decay, step);
    const keep = Math.fround(decay);
    const take = Math.fround(1 - decay);
    model.weights.forEach((weight, i) => {
      const shadow = (this.shadows[i] as Shadow).values;
      const values = hostValues(weight.read()); // used at once: a heap view on wasm
      if (values.length !== shadow.length) {
        throw new Error(
          `generator weight ${weight.name} has ${values.length} values, its EMA ${shadow.length}`,
        );
      }
      blendInto(shadow, values, keep, take);
    });
  }

  /** Copy the averaged weights into a model of the same architecture. */
  copyTo(model: LayersModel): void {
    const tensors = this.shadows.map(dataTensor);
    model.setWeights(tensors);
    tf.dispose(tensors);
  }

  /** The averaged weights, in model.weights order, as data (copies, for checkpoints). */
  state(): TensorData[] {
    return this.shadows.map((s) => ({ ...s, shape: [...s.shape], values: s.values.slice() }));
  }

  /** Replace the averages (from a checkpoint), checking shapes. */
  load(values: TensorData[]): void {
    if (values.length !== this.shadows.length) {
      throw new Error(
        `EMA state has ${values.length} tensors, the generator has ${this.shadows.length} weights`,
      );
    }
    values.forEach((value, i) => {
      const shadow = this.shadows[i] as Shadow;
      if (!tf.util.arraysEqual(shadow.shape, value.shape) || value.dtype !== "float32") {
        throw new Error(
          `EMA tensor ${i} has shape [${value.shape}] (${value.dtype}), the generator's weight is [${shadow.shape}] (float32)`,
        );
      }
      shadow.values.set(value.values);
    });
  }
}
