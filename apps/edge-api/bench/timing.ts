/**
 * Timing helpers shared by the benchmarks: percentile stats, and the bare onnxruntime `session.run`
 * of several models on the same seeded batches, interleaved run by run so that machine noise
 * hits every model alike (after warm-up rounds: the wasm runtime starts on baseline code).
 */
import { LATENT_SIZE, NUM_CLASSES, ONNX_IO } from "@edgegan/shared";
import { buildGeneratorInputs, planSample } from "@edgegan/shared/sample-plan";

export interface Stats {
  n: number;
  p10: number;
  p50: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
}

export function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    n: sorted.length,
    p10: round(at(0.1)),
    p50: round(at(0.5)),
    p99: round(at(0.99)),
    mean: round(sorted.reduce((s, x) => s + x, 0) / sorted.length),
    min: round(sorted[0] as number),
    max: round(sorted[sorted.length - 1] as number),
  };
}

export function feedsFor(count: number, seed: number) {
  const inputs = buildGeneratorInputs(planSample({ count, seed }));
  return { z: inputs.z, label: inputs.label };
}

/**
 * Time `session.run` of an onnxruntime flavour (node or web) on batches 1, 16, 64, for several
 * models at once: each round runs every model once, in turn (after 20 warm-up rounds: the wasm
 * runtime starts on baseline-compiled code), so a busy neighbour slows all models alike.
 * @returns per model name, per "batch N": stats of the run times
 */
export async function sessionFloor(
  ort: typeof import("onnxruntime-web"),
  models: Record<string, Uint8Array>,
  runs: number,
): Promise<Record<string, Record<string, Stats>>> {
  const names = Object.keys(models);
  const sessions = await Promise.all(
    names.map((name) =>
      ort.InferenceSession.create(models[name] as Uint8Array, { graphOptimizationLevel: "all" }),
    ),
  );
  const out: Record<string, Record<string, Stats>> = Object.fromEntries(names.map((n) => [n, {}]));
  for (const count of [1, 16, 64]) {
    const samples: number[][] = names.map(() => []);
    for (let i = 0; i < runs + 20; i++) {
      const { z, label } = feedsFor(count, i);
      const feeds = {
        [ONNX_IO.latentInput]: new ort.Tensor("float32", z, [count, LATENT_SIZE]),
        [ONNX_IO.labelInput]: new ort.Tensor("float32", label, [count, NUM_CLASSES]),
      };
      for (const [m, session] of sessions.entries()) {
        const started = performance.now();
        await session.run(feeds);
        if (i >= 20) samples[m]?.push(performance.now() - started);
      }
    }
    for (const [m, name] of names.entries()) {
      (out[name] as Record<string, Stats>)[`batch ${count}`] = stats(samples[m] as number[]);
    }
  }
  await Promise.all(sessions.map((session) => session.release()));
  return out;
}
