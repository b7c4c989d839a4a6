/**
 * Data-parallel steps against the one-batch step, on the wasm backend in the trainer and a replica
 * worker: without BatchNorm (MLP) the result is the same update; replicas stay bit-identical to
 * the trainer; a closed or failing replica ends the step with a clear error instead of hanging.
 */

import { LATENT_SIZE, NUM_CLASSES, oneHot } from "@edgegan/shared";
import { createRng } from "@edgegan/shared/rng";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { createGan, type Gan, type GanBatch, trainStep } from "../train-step.ts";
import { initWasmTrainingBackend } from "../wasm-backend.ts";
import { createGanStepper } from "./data-parallel.ts";
import { weightArrays } from "./replica-state.ts";
import { splitBatch } from "./shards.ts";

beforeAll(async () => {
  await initWasmTrainingBackend();
}, 60_000);

function batchOf(n: number, seed: number): GanBatch {
  const rng = createRng(seed);
  const classes = Array.from({ length: n }, () => rng.int(NUM_CLASSES));
  return {
    images: tf.tensor4d(
      Float32Array.from({ length: n * 784 }, () => rng.nextFloat() * 2 - 1),
      [n, 28, 28, 1],
    ),
    labels: tf.tensor2d(oneHot(classes), [n, NUM_CLASSES]),
    z: tf.tensor2d(rng.fillNormal(new Float32Array(n * LATENT_SIZE)), [n, LATENT_SIZE]),
    fakeLabels: tf.tensor2d(oneHot(classes.map((c) => (c + 3) % NUM_CLASSES)), [n, NUM_CLASSES]),
  };
}

/** Two GANs with the same weights. */
function twins(arch: "mlp" | "dcgan", generatorWidth = 16): [Gan, Gan] {
  const a = createGan({ arch, lr: 1e-3, generatorWidth });
  const b = createGan({ arch, lr: 1e-3, generatorWidth });
  b.generator.setWeights(a.generator.getWeights());
  b.discriminator.setWeights(a.discriminator.getWeights());
  return [a, b];
}

/** Positions of the trainable weights in model.weights. */
const trainableIndices = (model: Gan["generator"]) =>
  model.weights.flatMap((w, i) => (w.trainable ? [i] : []));

const maxDiff = (x: tf.Tensor[], y: tf.Tensor[]) =>
  Math.max(
    ...x.map((t, i) => tf.max(tf.abs(tf.sub(t, y[i] as tf.Tensor))).dataSync()[0] as number),
  );

describe("splitBatch", () => {
  it("cuts a batch into near-equal shards that together are the batch", () => {
    const batch = batchOf(7, 1);
    const shards = splitBatch(batch, 2);
    expect(shards.map((s) => s.n)).toEqual([3, 4]);
    const z = batch.z.dataSync();
    const [first, second] = shards;
    expect(Float32Array.from([...(first?.z ?? []), ...(second?.z ?? [])])).toEqual(z);
  });
});

describe("data-parallel step", () => {
  it("without BatchNorm (MLP), 2 shards give the one-batch update (to 1e-5)", async () => {
    const [local, parallel] = twins("mlp");
    const stepper = await createGanStepper(parallel, 2, "wasm");
    try {
      for (const seed of [1, 2, 3]) {
        const batch = batchOf(8, seed);
        const one = trainStep(local, batch);
        const two = await stepper.step(batch);
        expect(two.dLoss).toBeCloseTo(one.dLoss, 5);
        expect(two.gLoss).toBeCloseTo(one.gLoss, 5);
        tf.dispose(Object.values(batch));
      }
      expect(maxDiff(local.generator.getWeights(), parallel.generator.getWeights())).toBeLessThan(
        1e-5,
      );
      expect(
        maxDiff(local.discriminator.getWeights(), parallel.discriminator.getWeights()),
      ).toBeLessThan(1e-5);
      // two averages (D's, G's) per step in each replica, timed
      const timings = stepper.timings();
      expect(timings.map((t) => t.averages)).toEqual([6, 6]);
      for (const t of timings) expect(t.averageMs).toBeGreaterThan(0);
      const [replica] = await stepper.replicaWeights();
      expect(replica?.generator).toEqual(weightArrays(parallel.generator));
      expect(replica?.discriminator).toEqual(weightArrays(parallel.discriminator));
    } finally {
      await stepper.close();
    }
  }, 120_000);

  it("with BatchNorm (DCGAN), per-shard statistics: a close but not identical update", async () => {
    const [local, parallel] = twins("dcgan");
    const stepper = await createGanStepper(parallel, 2, "wasm");
    try {
      const batch = batchOf(8, 4);
      const one = trainStep(local, batch);
      const two = await stepper.step(batch);
      expect(Number.isFinite(two.dLoss) && Number.isFinite(two.gLoss)).toBe(true);
      expect(Math.abs(two.dLoss - one.dLoss)).toBeLessThan(0.5);
      const diff = maxDiff(local.generator.getWeights(), parallel.generator.getWeights());
      expect(diff).toBeGreaterThan(0);
      expect(diff).toBeLessThan(0.05);
      // every replica applied the same averaged update: trainable weights bit-identical to the
      // trainer's (the BatchNorm moving statistics are each shard's own)
      const [replica] = await stepper.replicaWeights();
      for (const i of trainableIndices(parallel.generator))
        expect(replica?.generator[i]).toEqual(weightArrays(parallel.generator)[i]);
      for (const i of trainableIndices(parallel.discriminator))
        expect(replica?.discriminator[i]).toEqual(weightArrays(parallel.discriminator)[i]);
    } finally {
      await stepper.close();
    }
  }, 120_000);

  it("starts replicas from a trained state (Adam moments too): they stay identical", async () => {
    const [gan] = twins("dcgan");
    trainStep(gan, batchOf(4, 6)); // Adam slots exist, iterations = 1, BN statistics moved
    const stepper = await createGanStepper(gan, 2, "wasm");
    try {
      for (const seed of [7, 8]) {
        const batch = batchOf(6, seed);
        await stepper.step(batch);
        tf.dispose(Object.values(batch));
      }
      const [replica] = await stepper.replicaWeights();
      const own = weightArrays(gan.generator);
      for (const i of trainableIndices(gan.generator))
        expect(replica?.generator[i]).toEqual(own[i]);
    } finally {
      await stepper.close();
    }
  }, 120_000);

  it("refuses a batch smaller than the number of replicas", async () => {
    const [, parallel] = twins("mlp");
    const stepper = await createGanStepper(parallel, 2, "wasm");
    try {
      await expect(stepper.step(batchOf(1, 9))).rejects.toThrow(/batch of 1 .* 2 replicas/);
    } finally {
      await stepper.close();
    }
  }, 120_000);

  it("fails the step with a clear error when a worker is gone, without hanging", async () => {
    const [, parallel] = twins("mlp");
    const stepper = await createGanStepper(parallel, 2, "wasm");
    await stepper.close();
    await expect(stepper.step(batchOf(4, 5))).rejects.toThrow(/replica workers were closed|exited/);
  }, 120_000);
});
