/**
 * TF.js's Adam, updating each variable with one kernel where the backend has it.
 *
 * Why: the stock update runs 14 kernels a variable (kernels/adam.ts says what the fused one
 * does and why its bits are the same). This subclass keeps everything else of TF.js's Adam: its
 * moments (same variables, same names), its bias-correction powers and step count, getWeights /
 * setWeights and the checkpoint format, the learning rate the schedule sets. On a backend without
 * the kernel (cpu, tfjs-node) it is TF.js's Adam unchanged.
 */
import * as tf from "@tensorflow/tfjs-core";
import { ADAM_UPDATE } from "./kernels/adam.ts";

/** TF.js 4.22 Adam's private state, which the fused update reads and writes as the stock one. */
interface AdamState {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: { originalName: string; variable: tf.Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: tf.Variable }[];
}

type VariableGradients = Parameters<tf.AdamOptimizer["applyGradients"]>[0];

export class FusedAdamOptimizer extends tf.AdamOptimizer {
  /** Adam with TF.js's defaults for beta2 (0.999) and epsilon (the backend's). */
  constructor(learningRate: number, beta1: number) {
    super(learningRate, beta1, 0.999);
  }

  override applyGradients(variableGradients: VariableGradients): void {
    if (tf.getKernel(ADAM_UPDATE, tf.getBackend()) === undefined) {
      super.applyGradients(variableGradients);
      return;
    }
    const state = this as unknown as AdamState;
    const names = Array.isArray(variableGradients)
      ? variableGradients.map((v) => v.name)
      : Object.keys(variableGradients);
    const attrs = {
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      learningRate: this.learningRate,
    };
    tf.tidy(() => {
      const oneMinusAccBeta1 = tf.sub(1, state.accBeta1);
      const oneMinusAccBeta2 = tf.sub(1, state.accBeta2);
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name] as tf.Variable;
        // moments created on first use, named and untrainable, as TF.js's Adam does
        for (const [moments, suffix] of [
          [state.accumulatedFirstMoment, "m"],
          [state.accumulatedSecondMoment, "v"],
        ] as const) {
          moments[i] ??= {
            originalName: `${name}/${suffix}`,
            variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
          };
        }
        const gradient = Array.isArray(variableGradients)
          ? variableGradients[i]?.tensor
          : variableGradients[name];
        if (gradient == null) return;
        const m = (state.accumulatedFirstMoment[i] as { variable: tf.Variable }).variable;
        const v = (state.accumulatedSecondMoment[i] as { variable: tf.Variable }).variable;
        const inputs = { gradient, m, v, value, oneMinusAccBeta1, oneMinusAccBeta2 };
        const [newM, newV, newValue] = tf
          .engine()
          .runKernel(ADAM_UPDATE, inputs, attrs) as unknown as tf.Tensor[];
        m.assign(newM as tf.Tensor);
        v.assign(newV as tf.Tensor);
        value.assign(newValue as tf.Tensor);
      });
      state.accBeta1.assign(tf.mul(state.accBeta1, this.beta1));
      state.accBeta2.assign(tf.mul(state.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }
}
