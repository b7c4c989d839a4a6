/**
 * Gradient averaging across data-parallel replicas through shared memory: every replica (the
 * trainer and each worker thread) writes its shard's gradients, scaled by its share of the batch,
 * into its own slot of a SharedArrayBuffer, waits at a barrier, then sums the slots in the same
 * order as every other replica. (The slots of one network are written again only after the other
 * network's barrier, which every replica passes after reading them: one barrier per average.)
 * All replicas therefore get bit-identical averages, apply the same
 * Adam update and stay identical without ever copying weights.
 *
 * Synchronous by design (Atomics.wait): the average is needed in the middle of a step, inside
 * TF.js's gradient tape. A replica that fails raises a shared flag that wakes the others; a
 * replica that never arrives (a thread that died) ends the wait after `timeoutMs`. Nothing hangs.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { GradientAverager, Network } from "../train-step.ts";

/** The shared buffers of one data-parallel run, sent to every worker at start. */
export interface SharedStepMemory {
  /** How many replicas meet at each barrier (trainer + workers). */
  replicas: number;
  /** Int32 [arrived, generation, failed replica + 1 (0: none)]. */
  control: SharedArrayBuffer;
  /** Per network: `replicas` slots of (parameters + 1 loss) float32. */
  slots: Record<Network, SharedArrayBuffer>;
  /** Trainable parameters per network (a slot holds these, then the loss). */
  parameters: Record<Network, number>;
  /** How long a replica waits for the others at a barrier before giving up. */
  timeoutMs: number;
}

const ARRIVED = 0;
const GENERATION = 1;
const FAILED = 2;

/** Allocate the shared buffers for `replicas` replicas of networks with these parameter counts. */
export function createSharedStepMemory(
  replicas: number,
  parameters: Record<Network, number>,
  timeoutMs = 60_000,
): SharedStepMemory {
  const slotBuffer = (n: number) => new SharedArrayBuffer(replicas * (n + 1) * 4);
  return {
    replicas,
    control: new SharedArrayBuffer(3 * 4),
    slots: {
      discriminator: slotBuffer(parameters.discriminator),
      generator: slotBuffer(parameters.generator),
    },
    parameters,
    timeoutMs,
  };
}

/** Raised in every replica when one of them failed or a barrier timed out. */
export class ReplicaFailure extends Error {}

/** Mark the run as failed by `replica` and wake every waiting replica. */
export function raiseFailure(memory: SharedStepMemory, replica: number): void {
  const control = new Int32Array(memory.control);
  Atomics.compareExchange(control, FAILED, 0, replica + 1);
  Atomics.notify(control, GENERATION);
}

/** The replica that failed first (0 = the trainer), or null. */
export function failedReplica(memory: SharedStepMemory): number | null {
  const flag = Atomics.load(new Int32Array(memory.control), FAILED);
  return flag === 0 ? null : flag - 1;
}

/** Wait until all replicas arrived (generation barrier). @throws ReplicaFailure */
function barrier(memory: SharedStepMemory, replica: number): void {
  const control = new Int32Array(memory.control);
  const generation = Atomics.load(control, GENERATION);
  if (Atomics.add(control, ARRIVED, 1) === memory.replicas - 1) {
    Atomics.store(control, ARRIVED, 0);
    Atomics.add(control, GENERATION, 1);
    Atomics.notify(control, GENERATION);
  } else {
    const deadline = performance.now() + memory.timeoutMs;
    while (Atomics.load(control, GENERATION) === generation) {
      if (failedReplica(memory) !== null) break;
      const left = deadline - performance.now();
      if (left <= 0) {
        raiseFailure(memory, replica);
        throw new ReplicaFailure(
          `replica ${replica} waited ${memory.timeoutMs} ms at a barrier for the others (did a worker thread die?)`,
        );
      }
      Atomics.wait(control, GENERATION, generation, left);
    }
  }
  const failed = failedReplica(memory);
  if (failed !== null) throw new ReplicaFailure(`replica ${failed} failed; the step was abandoned`);
}

/**
 * The averager of replica `replica`. Call `setShare` before each step with the replica's fraction
 * of the batch (shard size / batch size): the average is weighted by it, so it is the full batch's
 * mean loss and gradient.
 */
export function createSharedAverager(
  memory: SharedStepMemory,
  replica: number,
): GradientAverager & { setShare(share: number): void } {
  let share = 1 / memory.replicas;
  return {
    setShare(value) {
      share = value;
    },
    average(network: Network, loss: tf.Scalar, grads: tf.Tensor[]) {
      const size = memory.parameters[network] + 1;
      const all = new Float32Array(memory.slots[network]);
      const own = all.subarray(replica * size, (replica + 1) * size);
      const shapes = grads.map((g) => g.shape);
      let offset = 0;
      for (const grad of grads) {
        const values = grad.dataSync() as Float32Array;
        for (let k = 0; k < values.length; k++) own[offset + k] = (values[k] as number) * share;
        offset += values.length;
      }
      if (offset !== size - 1) {
        throw new Error(`${network} has ${offset} gradient values, the shared slot ${size - 1}`);
      }
      own[offset] = (loss.dataSync()[0] as number) * share;
      tf.dispose([loss, ...grads]);
      barrier(memory, replica);
      // the same sum, in the same order, in every replica
      const sum = all.slice(0, size);
      for (let r = 1; r < memory.replicas; r++) {
        const base = r * size;
        for (let k = 0; k < size; k++) sum[k] = (sum[k] as number) + (all[base + k] as number);
      }
      offset = 0;
      const averaged = shapes.map((shape) => {
        const n = tf.util.sizeFromShape(shape);
        const t = tf.tensor(sum.subarray(offset, offset + n), shape);
        offset += n;
        return t;
      });
      return { loss: sum[size - 1] as number, grads: averaged };
    },
  };
}
