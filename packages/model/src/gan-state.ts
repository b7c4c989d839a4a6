/**
 * A GAN's whole training state as plain arrays, and putting it back: both networks' weights
 * (BatchNorm statistics included) and both Adam optimisers' state. One codec for both places a
 * state leaves its GAN: a checkpoint on disk (the trainer adds its EMA) and a replica worker that
 * must start identical to the trainer. Capture, then apply to a GAN of the same config, gives the
 * same GAN bit for bit.
 */
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { type Gan, trainableVariables } from "./train-step.ts";

/** One tensor as data: its own copy of the values, row-major. */
export interface TensorData {
  shape: number[];
  dtype: "float32" | "int32";
  values: Float32Array | Int32Array;
}

/** A GAN's training state; each list in a fixed order. */
export interface GanState {
  /** G's weights in model.weights order (trainable, then BatchNorm statistics per layer). */
  generator: TensorData[];
  discriminator: TensorData[];
  /** Adam's state as getWeights lists it: the step count, the first moments, the second moments. */
  gOptimizer: TensorData[];
  dOptimizer: TensorData[];
}

/** The groups of a {@link GanState}, in the order they are captured and applied. */
export const GAN_STATE_GROUPS = ["generator", "discriminator", "gOptimizer", "dOptimizer"] as const;

/**
 * A tensor's values, copied out of the backend.
 * @throws Error for a dtype other than float32 / int32 (`what` names the tensor)
 */
export function tensorData(tensor: tf.Tensor, what = "tensor"): TensorData {
  const { dtype } = tensor;
  if (dtype !== "float32" && dtype !== "int32") {
    throw new Error(`${what} has dtype ${dtype}; a GAN state holds float32 and int32 tensors`);
  }
  const values = tensor.dataSync() as Float32Array | Int32Array;
  return { shape: [...tensor.shape], dtype, values: values.slice() };
}

/** The tensor `data` describes (the caller disposes it). */
export function dataTensor(data: TensorData): tf.Tensor {
  return tf.tensor(data.values, data.shape, data.dtype);
}

/** Every weight of a model (trainable and BatchNorm statistics), in model.weights order. */
export function modelWeights(model: tfl.LayersModel): TensorData[] {
  return model.weights.map((w) => tensorData(w.read(), `${model.name}/${w.name}`));
}

/** Capture `gan`'s state (the optimisers' state is async in TF.js). */
export async function captureGanState(gan: Gan): Promise<GanState> {
  return {
    generator: modelWeights(gan.generator),
    discriminator: modelWeights(gan.discriminator),
    gOptimizer: await adamState(gan.gOptimizer),
    dOptimizer: await adamState(gan.dOptimizer),
  };
}

async function adamState(optimizer: tf.Optimizer): Promise<TensorData[]> {
  const weights = await optimizer.getWeights();
  const data = weights.map(({ name, tensor }) => tensorData(tensor, name));
  weights[0]?.tensor.dispose(); // the step count, made for this call (the moments are the slots)
  return data;
}

/**
 * Make `gan`, freshly built with the captured GAN's config, equal to `state` (once: TF.js's Adam
 * does not release the slots it replaces). Every group is checked before anything is written.
 * @throws Error naming the group and tensor that do not fit (count or shape)
 */
export async function applyGanState(gan: Gan, state: GanState): Promise<void> {
  const networks = [
    ["generator", gan.generator, "gOptimizer", gan.gOptimizer],
    ["discriminator", gan.discriminator, "dOptimizer", gan.dOptimizer],
  ] as const;
  for (const [group, model, adamGroup] of networks) {
    checkGroup(
      group,
      state[group],
      model.weights.map((w) => w.shape as number[]),
      "weights",
    );
    checkAdamGroup(adamGroup, state[adamGroup], trainableVariables(model));
  }
  for (const [group, model, adamGroup, optimizer] of networks) {
    const tensors = state[group].map(dataTensor);
    model.setWeights(tensors);
    tf.dispose(tensors);
    await setAdamState(adamGroup, optimizer, state[adamGroup]);
  }
}

const shapeText = (shape: readonly number[]) => `[${shape.join(", ")}]`;

/** Throw unless `data` holds one tensor of each shape in `shapes`, in order. */
function checkGroup(group: string, data: TensorData[], shapes: number[][], what: string): void {
  if (data.length !== shapes.length) {
    throw new Error(`${group}: ${data.length} tensors, this model has ${shapes.length} ${what}`);
  }
  data.forEach((d, i) => {
    const want = shapes[i] as number[];
    if (!tf.util.arraysEqual(d.shape, want)) {
      throw new Error(
        `${group}[${i}] has shape ${shapeText(d.shape)}, this model needs ${shapeText(want)}`,
      );
    }
  });
}

/**
 * Adam's state for `variables`: the step count, then one first and one second moment per
 * variable (none before the first step).
 */
function checkAdamGroup(group: string, data: TensorData[], variables: tf.Variable[]): void {
  const moments = variables.map((v) => v.shape);
  const full = 1 + 2 * moments.length;
  if (data.length !== 1 && data.length !== full) {
    throw new Error(
      `${group}: ${data.length} tensors, Adam for this model has 1 (before the first step) or ${full}`,
    );
  }
  const shapes = data.length === 1 ? [[]] : [[], ...moments, ...moments];
  checkGroup(group, data, shapes, "Adam tensors");
}

async function setAdamState(
  group: string,
  optimizer: tf.AdamOptimizer,
  data: TensorData[],
): Promise<void> {
  // the names only label the slots (TF.js matches them to variables by position)
  const named = data.map((d, i) => ({ name: `${group}_${i}`, tensor: dataTensor(d) }));
  await optimizer.setWeights(named);
  tf.dispose(named.map((n) => n.tensor));
  setAdamPowers(optimizer, (data[0] as TensorData).values[0] as number);
}

/** The private state of TF.js's Adam (4.22) that its setWeights restores only approximately. */
interface AdamPowers {
  beta1: number;
  beta2: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
}

/**
 * Put Adam's running powers beta1^(t+1), beta2^(t+1) (its bias correction) as `steps` steps of
 * training left them: a product rounded to float32 at each step. TF.js's setWeights recomputes
 * them with pow(), which differs in the last bit at some steps (beta2 = 0.999: after 2 and 5
 * steps, for instance), and one bit there makes a resumed run drift from the straight run.
 */
function setAdamPowers(optimizer: tf.AdamOptimizer, steps: number): void {
  const adam = optimizer as unknown as AdamPowers;
  for (const [power, beta] of [
    [adam.accBeta1, adam.beta1],
    [adam.accBeta2, adam.beta2],
  ] as const) {
    const factor = Math.fround(beta);
    let value = factor;
    for (let i = 0; i < steps; i++) value = Math.fround(value * factor); // as the backend multiplies
    const scalar = tf.scalar(value);
    power.assign(scalar);
    scalar.dispose();
  }
}
