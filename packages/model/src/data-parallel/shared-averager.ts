/**
 * Gradient averaging across data-parallel replicas through shared memory: every replica (the
 * trainer and each worker thread) writes its shard's gradients and its share of the batch into
 * its own slot of a SharedArrayBuffer, waits at a barrier, then sums the share-weighted slots in
 * the same order as every other replica. (The slots of one network are written again only after the other
 * network's barrier, which every replica passes after reading them: one barrier per average.)
 * All replicas therefore get bit-identical averages, apply the same
 * Adam update and stay identical without ever copying weights.
 *
 * Synchronous by design (Atomics.wait): the average is needed in the middle of a step, inside
 * TF.js's gradient tape. A replica that fails raises a shared flag that wakes the others; a
 * replica that never arrives (a thread that died) ends the wait after `timeoutMs` of waiting (time
 * the process spent stopped, e.g. by Ctrl-Z, does not count). Nothing hangs.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { GradientAverager, Network } from "../train-step.ts";

/** The shared buffers of one data-parallel run, sent to every worker at start. */
export interface SharedStepMemory {
  /** How many replicas meet at each barrier (trainer + workers). */
  replicas: number;
  /** Int32 [arrived, generation, failed replica + 1 (0: none)]. */
  control: SharedArrayBuffer;
  /** Per network: `replicas` slots of (parameters, loss, share of the batch) float32. */
  slots: Record<Network, SharedArrayBuffer>;
  /** Trainable parameters per network (a slot holds these, then the loss and the share). */
  parameters: Record<Network, number>;
  /** How long a replica waits for the others at a barrier before giving up. */
  timeoutMs: number;
}

/** Barrier waits run in slices this long, so time the whole process was stopped is not counted. */
const WAIT_SLICE_MS = 1_000;

const ARRIVED = 0;
const GENERATION = 1;
const FAILED = 2;

/** A slot holds a replica's gradients, then its loss and its share of the batch. */
const SLOT_EXTRA = 2;

/** Allocate the shared buffers for `replicas` replicas of networks with these parameter counts. */
export function createSharedStepMemory(
  replicas: number,
  parameters: Record<Network, number>,
  timeoutMs = 60_000,
): SharedStepMemory {
  const slotBuffer = (n: number) => new SharedArrayBuffer(replicas * (n + SLOT_EXTRA) * 4);
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
    let waited = 0; // ms counted toward the timeout
    while (Atomics.load(control, GENERATION) === generation) {
      if (failedReplica(memory) !== null) break;
      if (waited >= memory.timeoutMs) {
        raiseFailure(memory, replica);
        throw new ReplicaFailure(
          `replica ${replica} waited ${memory.timeoutMs} ms at a barrier for the others (did a worker thread die?)`,
        );
      }
      const slice = Math.min(WAIT_SLICE_MS, memory.timeoutMs - waited);
      const start = performance.now();
      Atomics.wait(control, GENERATION, generation, slice);
      // a slice counts at most what it asked for: a process stopped meanwhile (Ctrl-Z, a
      // suspended machine) froze every replica alike, and that time is nobody's fault
      waited += Math.min(performance.now() - start, slice);
    }
  }
  const failed = failedReplica(memory);
  if (failed !== null) throw new ReplicaFailure(`replica ${failed} failed; the step was abandoned`);
}

/** Where a replica's averaging time went, summed since the averager was made (milliseconds). */
export interface AveragingTimings {
  /** Writing its share of the gradients into shared memory, and summing the slots back. */
  averageMs: number;
  /** Waiting for the other replicas: at the barriers (the trainer: also for the workers' end). */
  waitMs: number;
  /** Averages done (two per step: D's and G's). */
  averages: number;
  /** A worker's time between steps, from its answer to the next shard's arrival (the trainer: 0). */
  idleMs: number;
}

/** The wasm backend's view of a tensor's memory (other backends have none). */
type HeapReader = { typedArrayFromHeap?: (info: tf.TensorInfo) => Float32Array };

/**
 * The averager of replica `replica`. Call `setShare` before each step with the replica's fraction
 * of the batch (shard size / batch size): the average is weighted by it, so it is the full batch's
 * mean loss and gradient.
 *
 * Each replica copies its gradients as they are into its slot (on wasm straight from the heap, a
 * memcpy) with its share beside them; after the barrier it reads the other slots back into
 * tensors and sums share_r * g_r over r = 0, 1, ... with the backend's own (SIMD) kernels. Every
 * replica does the same float32 operations in the same order, so the averages are bit-identical.
 */
export function createSharedAverager(
  memory: SharedStepMemory,
  replica: number,
): GradientAverager & { setShare(share: number): void; readonly timings: AveragingTimings } {
  let share = 1 / memory.replicas;
  const timings: AveragingTimings = { averageMs: 0, waitMs: 0, averages: 0, idleMs: 0 };
  const views = {
    discriminator: new Float32Array(memory.slots.discriminator),
    generator: new Float32Array(memory.slots.generator),
  };
  return {
    timings,
    setShare(value) {
      share = value;
    },
    average(network: Network, loss: tf.Scalar, grads: tf.Tensor[]) {
      const started = performance.now();
      const parameters = memory.parameters[network];
      const stride = parameters + SLOT_EXTRA;
      const all = views[network];
      const own = all.subarray(replica * stride, (replica + 1) * stride);
      const total = grads.reduce((sum, g) => sum + g.size, 0);
      if (total !== parameters) {
        throw new Error(`${network} has ${total} gradient values, the shared slot ${parameters}`);
      }
      const heap = (tf.backend() as unknown as HeapReader).typedArrayFromHeap;
      const onHeap = typeof heap === "function";
      let offset = 0;
      for (const grad of grads) {
        // a wasm heap view is valid until the next allocation: copied at once
        const values = onHeap ? heap.call(tf.backend(), grad) : (grad.dataSync() as Float32Array);
        own.set(values, offset);
        offset += grad.size;
      }
      own[parameters] = loss.dataSync()[0] as number;
      own[parameters + 1] = share;
      loss.dispose();
      const arrived = performance.now();
      barrier(memory, replica);
      const passed = performance.now();
      const replicas = Array.from({ length: memory.replicas }, (_, r) => r * stride);
      const shares = replicas.map((base) => all[base + parameters + 1] as number);
      const f = Math.fround;
      let meanLoss = 0;
      replicas.forEach((base, r) => {
        meanLoss = f(meanLoss + f((all[base + parameters] as number) * (shares[r] as number)));
      });
      offset = 0;
      const averaged = grads.map((grad) => {
        const n = grad.size;
        const mean = tf.tidy(() => {
          let sum: tf.Tensor | null = null;
          replicas.forEach((base, r) => {
            const values = all.subarray(base + offset, base + offset + n);
            // wasm copies the values into its heap; other backends may keep the array itself
            const g =
              r === replica ? grad : tf.tensor(onHeap ? values : values.slice(), grad.shape);
            const scaled = tf.mul(g, shares[r] as number);
            sum = sum === null ? scaled : tf.add(sum, scaled);
          });
          return sum as unknown as tf.Tensor;
        });
        offset += n;
        return mean;
      });
      tf.dispose(grads);
      timings.averageMs += arrived - started + (performance.now() - passed);
      timings.waitMs += passed - arrived;
      timings.averages++;
      return { loss: meanLoss, grads: averaged };
    },
  };
}
