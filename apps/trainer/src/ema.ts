/**
 * Exponential moving average of the generator's weights: the generator we export.
 *
 * Averaging over the last ~1/(1-decay) steps smooths the oscillation of adversarial training;
 * the averaged generator gives cleaner samples than the live one. A warm-up
 * (decay_t = min(decay, (1 + t) / (10 + t))) keeps early averages from clinging to the init.
 */
import { dataTensor, type TensorData, tensorData } from "@edgegan/model/gan-state";
import * as tf from "@tensorflow/tfjs-core";
import type { LayersModel } from "@tensorflow/tfjs-layers";

export class WeightEma {
  private readonly shadows: tf.Variable[];

  /** Start the average at the model's current weights (all weights, BN statistics too). */
  constructor(
    model: LayersModel,
    readonly decay: number,
  ) {
    this.shadows = model.weights.map((w) => tf.variable(w.read().clone(), false));
  }

  /** Fold the model's current weights into the average; `step`: steps done before this one. */
  update(model: LayersModel, step: number): void {
    const decay = Math.min(this.decay, (1 + step) / (10 + step));
    tf.tidy(() => {
      model.weights.forEach((weight, i) => {
        const shadow = this.shadows[i] as tf.Variable;
        shadow.assign(tf.add(tf.mul(shadow, decay), tf.mul(weight.read(), 1 - decay)));
      });
    });
  }

  /** Copy the averaged weights into a model of the same architecture. */
  copyTo(model: LayersModel): void {
    model.setWeights(this.shadows);
  }

  /** The averaged weights, in model.weights order, as data (for checkpoints). */
  state(): TensorData[] {
    return this.shadows.map((shadow, i) => tensorData(shadow, `EMA tensor ${i}`));
  }

  /** Replace the averages (from a checkpoint), checking shapes. */
  load(values: TensorData[]): void {
    if (values.length !== this.shadows.length) {
      throw new Error(
        `EMA state has ${values.length} tensors, the generator has ${this.shadows.length} weights`,
      );
    }
    values.forEach((value, i) => {
      const shadow = this.shadows[i] as tf.Variable;
      if (!tf.util.arraysEqual(shadow.shape, value.shape)) {
        throw new Error(
          `EMA tensor ${i} has shape [${value.shape}], the generator's weight is [${shadow.shape}]`,
        );
      }
      const tensor = dataTensor(value);
      shadow.assign(tensor);
      tensor.dispose();
    });
  }

  dispose(): void {
    for (const shadow of this.shadows) shadow.dispose();
  }
}
