/**
 * Test support: run the same computation on the cpu backend (the reference) and on wasm with
 * EdgeGAN's kernels, and measure how far apart they are. Used by the kernel tests in
 * src/kernels/ and by src/wasm-backend.test.ts.
 */
import { createRng } from "@edgegan/shared/rng";
import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import { initWasmTrainingBackend } from "../src/wasm-backend.ts";

/** Uniform values in [-1, 1) from the project's seeded RNG, so a failure reproduces. */
export function randomTensor(shape: readonly number[], seed: number): tf.Tensor {
  const rng = createRng(seed);
  const values = Float32Array.from(
    { length: shape.reduce((a, b) => a * b, 1) },
    () => rng.nextFloat() * 2 - 1,
  );
  return tf.tensor(values, [...shape], "float32");
}

/** max |a - b| / max |a| (0 when both are all zero). */
export function relativeError(reference: ArrayLike<number>, actual: ArrayLike<number>): number {
  if (reference.length !== actual.length) {
    throw new Error(`length mismatch: ${reference.length} vs ${actual.length}`);
  }
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i] as number;
    diff = Math.max(diff, Math.abs(r - (actual[i] as number)));
    scale = Math.max(scale, Math.abs(r));
  }
  return scale === 0 ? diff : diff / scale;
}

/** Make sure both backends exist and wasm has our kernels; leaves wasm active. */
export async function setupBackends(): Promise<void> {
  await tf.setBackend("cpu");
  await initWasmTrainingBackend();
}

/** Results of `fn` on cpu then wasm (each flattened), plus output shapes of both; wasm stays active. */
export async function onBothBackends(fn: () => tf.Tensor | tf.Tensor[]): Promise<{
  cpu: Float32Array[];
  wasm: Float32Array[];
  shapes: number[][];
  cpuShapes: number[][];
}> {
  const run = async (backend: string) => {
    await tf.setBackend(backend);
    const outs = tf.tidy(() => {
      const r = fn();
      return Array.isArray(r) ? r : [r];
    });
    const values = outs.map((t) => t.dataSync() as Float32Array);
    const shapes = outs.map((t) => t.shape);
    tf.dispose(outs);
    return { values, shapes };
  };
  const cpu = await run("cpu");
  const wasm = await run("wasm");
  return { cpu: cpu.values, wasm: wasm.values, shapes: wasm.shapes, cpuShapes: cpu.shapes };
}

/** Names of the kernels one call of `fn` runs on the active backend; its result is disposed. */
export async function kernelNamesOf(fn: () => tf.TensorContainer): Promise<string[]> {
  const profile = await tf.profile(fn);
  tf.dispose(profile.result);
  return profile.kernelNames;
}
