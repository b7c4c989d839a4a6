import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { randomBatch } from "../test/random-batch.ts";
import {
  applyGanState,
  captureGanState,
  GAN_STATE_GROUPS,
  type GanState,
  tensorData,
} from "./gan-state.ts";
import { createGan, trainStep } from "./train-step.ts";
import { initWasmTrainingBackend } from "./wasm-backend.ts";

// the trainer's backend: Adam's arithmetic as training does it
beforeAll(async () => {
  await initWasmTrainingBackend();
}, 60_000);

/** The first tensor where two states differ (shape, dtype or any bit of a value), or null. */
function difference(a: GanState, b: GanState): string | null {
  for (const group of GAN_STATE_GROUPS) {
    if (a[group].length !== b[group].length)
      return `${group}: ${a[group].length} vs ${b[group].length}`;
    for (const [i, x] of a[group].entries()) {
      const y = b[group][i];
      const bytes = (v: Float32Array | Int32Array) =>
        Buffer.from(v.buffer, v.byteOffset, v.byteLength);
      const same =
        y !== undefined &&
        x.dtype === y.dtype &&
        x.shape.join() === y.shape.join() &&
        bytes(x.values).equals(bytes(y.values));
      if (!same) return `${group}[${i}]`;
    }
  }
  return null;
}

describe("GAN state codec (checkpoints and replicas)", () => {
  it.each([false, true])(
    "capture, then apply to a fresh GAN: the same state, and the same next step bit for bit (spectral norm %s)",
    async (spectralNorm) => {
      const config = { arch: "mlp", lr: 1e-3, loss: "hinge", dLr: 4e-3, spectralNorm } as const;
      const trained = createGan(config);
      trainStep(trained, randomBatch(4, 1));
      trainStep(trained, randomBatch(4, 2));
      const state = await captureGanState(trained);
      expect(state.gOptimizer[0]).toEqual({ shape: [], dtype: "int32", values: Int32Array.of(2) });
      expect(state.dOptimizer).toHaveLength(1 + 2 * trained.discriminator.trainableWeights.length);
      // with spectral normalisation D's power-iteration vectors travel too: u, v after its weights
      expect(state.discriminator).toHaveLength(spectralNorm ? 16 : 8);

      const copy = createGan(config);
      const before = tf.memory().numTensors;
      await applyGanState(copy, state);
      // nothing left behind but Adam's new slot variables (a fresh optimiser has none)
      const slots = state.gOptimizer.length - 1 + state.dOptimizer.length - 1;
      expect(tf.memory().numTensors).toBe(before + slots);
      expect(difference(await captureGanState(copy), state)).toBeNull();

      const batch = randomBatch(4, 3);
      const a = trainStep(trained, batch);
      const b = trainStep(copy, batch);
      expect(b).toEqual(a);
      expect(difference(await captureGanState(copy), await captureGanState(trained))).toBeNull();
    },
  );

  it("a fresh GAN's state (Adam before its first step) applies too", async () => {
    const state = await captureGanState(createGan({ arch: "mlp" }));
    expect(state.gOptimizer).toHaveLength(1);
    const copy = createGan({ arch: "mlp" });
    await applyGanState(copy, state);
    expect(difference(await captureGanState(copy), state)).toBeNull();
  });

  it("refuses a state that does not fit the model, naming the group and tensor", async () => {
    const trained = createGan({ arch: "dcgan", generatorWidth: 16 });
    const state = await captureGanState(trained);
    await expect(
      applyGanState(createGan({ arch: "dcgan", generatorWidth: 32 }), state),
    ).rejects.toThrow(/generator\[\d+\] has shape \[.*\], this model needs \[.*\]/);
    await expect(applyGanState(createGan({ arch: "mlp" }), state)).rejects.toThrow(
      /generator: \d+ tensors, this model has \d+ weights/,
    );
    // a misfit in the last group: refused before anything is written
    const badAdam = { ...state, dOptimizer: [...state.dOptimizer, ...state.dOptimizer] };
    const target = createGan({ arch: "dcgan", generatorWidth: 16 });
    const untouched = await captureGanState(target);
    await expect(applyGanState(target, badAdam)).rejects.toThrow(
      /dOptimizer: 2 tensors, Adam for this model has 1 \(before the first step\) or \d+/,
    );
    expect(difference(await captureGanState(target), untouched)).toBeNull();
  });

  it("a state from a D without spectral normalisation does not fit one with it, and the reverse", async () => {
    const plain = await captureGanState(createGan({ arch: "mlp" }));
    const normalised = await captureGanState(createGan({ arch: "mlp", spectralNorm: true }));
    await expect(
      applyGanState(createGan({ arch: "mlp", spectralNorm: true }), plain),
    ).rejects.toThrow(/discriminator: 8 tensors, this model has 16 weights/);
    await expect(applyGanState(createGan({ arch: "mlp" }), normalised)).rejects.toThrow(
      /discriminator: 16 tensors, this model has 8 weights/,
    );
  });

  it("holds float32 and int32 only", () => {
    const flags = tf.tensor([true, false], [2], "bool");
    expect(() => tensorData(flags, "flags")).toThrow(/flags has dtype bool/);
    flags.dispose();
  });
});
