/**
 * The EMA's in-place host update gives, bit for bit, the averages of the tensor formulation
 * tf.add(tf.mul(shadow, d), tf.mul(w, 1 - d)) on the backends the trainer runs (wasm, cpu), over
 * warm-up and steady decays; its state round-trips through load and copyTo.
 */
import { buildGenerator } from "@edgegan/model/generator";
import { initCpuTrainingBackend } from "@edgegan/model/kernels/cpu-conv2d-backprop-filter";
import { initWasmTrainingBackend } from "@edgegan/model/wasm-backend";
import * as tf from "@tensorflow/tfjs-core";
import type { LayersModel } from "@tensorflow/tfjs-layers";
import { describe, expect, it } from "vitest";
import { emaDecayAt, WeightEma } from "./ema.ts";

/** The tensor formulation the host update must reproduce. */
function tensorEma(model: LayersModel, decay: number) {
  const shadows = model.weights.map((w) => tf.variable(w.read().clone(), false));
  return {
    update(step: number) {
      const d = emaDecayAt(decay, step);
      tf.tidy(() => {
        model.weights.forEach((w, i) => {
          const s = shadows[i] as tf.Variable;
          s.assign(tf.add(tf.mul(s, d), tf.mul(w.read(), 1 - d)));
        });
      });
    },
    values: () => shadows.map((s) => s.dataSync() as Float32Array),
    dispose: () => tf.dispose(shadows),
  };
}

/** Move every weight of `model` by seeded noise (as a training step would). */
function perturb(model: LayersModel, seed: number): void {
  const next = model.weights.map((w, i) =>
    tf.tidy(() =>
      tf.add(w.read(), tf.randomNormal(w.read().shape, 0, 0.05, "float32", seed * 100 + i)),
    ),
  );
  model.setWeights(next);
  tf.dispose(next);
}

const bits = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe.each(["wasm", "cpu"] as const)("WeightEma on %s", (backend) => {
  it("matches the tensor formulation bit for bit, warm-up and steady decay", async () => {
    if (backend === "wasm") await initWasmTrainingBackend();
    else await initCpuTrainingBackend();
    const model = buildGenerator("dcgan", 32);
    const host = new WeightEma(model, 0.999);
    const reference = tensorEma(model, 0.999);
    // steps 0..5 (warm-up: decay 0.1, 0.18, ...) and steps far in (decay 0.999)
    for (const step of [0, 1, 2, 3, 4, 5, 5000, 5001, 5002]) {
      perturb(model, step + 1);
      host.update(model, step);
      reference.update(step);
    }
    const want = reference.values();
    const got = host.state();
    expect(got).toHaveLength(want.length);
    got.forEach((g, i) => {
      expect(bits(g.values as Float32Array).equals(bits(want[i] as Float32Array))).toBe(true);
    });
    // not trivially equal: the average is neither the init nor the current weights
    const current = model.weights[0]?.read().dataSync() as Float32Array;
    expect(bits(got[0]?.values as Float32Array).equals(bits(current))).toBe(false);
    reference.dispose();

    // state -> load into a fresh EMA -> copyTo a model: the same values
    const restored = new WeightEma(buildGenerator("dcgan", 32), 0.999);
    restored.load(got);
    const target = buildGenerator("dcgan", 32);
    restored.copyTo(target);
    target.weights.forEach((w, i) => {
      expect(bits(w.read().dataSync() as Float32Array).equals(bits(want[i] as Float32Array))).toBe(
        true,
      );
    });
    expect(() => restored.load(got.slice(1))).toThrow(/EMA state has/);
  });
});
