/**
 * Parity check: run the exported ONNX with onnxruntime-web (wasm, in Node: ./onnx-generator.ts,
 * the runner eval and synth use too) and the TF.js generator (inference mode) on the same
 * seeded inputs, and report the largest difference. The export step gates on this so a wrong
 * fold, layout or padding never ships.
 */
import { LATENT_SIZE, NUM_CLASSES, oneHot } from "@edgegan/shared";
import { createRng } from "@edgegan/shared/rng";
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { generateOnce } from "./onnx-generator.ts";

/** Options of {@link checkOnnxParity}. */
export interface ParityOptions {
  /** Number of (z, label) pairs; default 64. */
  samples?: number;
  /** Seed of the input stream (z ~ N(0,1), labels uniform); default 0. */
  seed?: number;
  /** The temperature the graph was exported with: the TF.js generator is given T * z. Default 1. */
  latentTemperature?: number;
}

/** Result of {@link checkOnnxParity}. */
export interface ParityResult {
  /** max |onnx - tfjs| over every output value (Infinity if either side gave NaN). */
  maxAbsDiff: number;
  samples: number;
}

/**
 * Compare the ONNX graph with the TF.js generator on `samples` seeded random inputs.
 *
 * TF.js side: `generator.predict([T * z, label])` (training=false, BatchNorm on moving statistics),
 * [N,28,28,1] transposed to NCHW. ONNX side: onnxruntime-web wasm, one thread.
 *
 * @throws Error when onnxruntime cannot load the bytes, or the ONNX output is missing or not
 *   float32 [samples, 1, 28, 28].
 * @example
 * const { maxAbsDiff } = await checkOnnxParity(g, exportGeneratorToOnnx(g, "dcgan"), { seed: 1 });
 * if (maxAbsDiff > 1e-4) throw new Error("export broke the generator");
 */
export async function checkOnnxParity(
  generator: tfl.LayersModel,
  onnxBytes: Uint8Array,
  { samples = 64, seed = 0, latentTemperature = 1 }: ParityOptions = {},
): Promise<ParityResult> {
  if (!Number.isInteger(samples) || samples < 1) {
    throw new Error(`samples must be a positive integer, got ${samples}`);
  }
  const { z, labels } = parityInputs(samples, seed);

  const expectedTensor = tf.tidy(() => {
    const out = generator.predict([
      tf.mul(tf.tensor2d(z, [samples, LATENT_SIZE]), latentTemperature),
      tf.tensor2d(labels, [samples, NUM_CLASSES]),
    ]) as tf.Tensor4D; // [N, 28, 28, 1]
    return tf.transpose(out, [0, 3, 1, 2]); // [N, 1, 28, 28]
  });
  const expected = await expectedTensor.data();
  expectedTensor.dispose();

  const actual = await generateOnce(onnxBytes, z, labels, samples);
  return { maxAbsDiff: largestDifference(expected, actual), samples };
}

/**
 * A parity check's inputs: z [samples, 100] ~ N(0, 1) and one-hot labels [samples, 10], drawn
 * uniformly, from one seeded stream.
 */
export function parityInputs(
  samples: number,
  seed: number,
): { z: Float32Array; labels: Float32Array } {
  const rng = createRng(seed);
  const z = rng.fillNormal(new Float32Array(samples * LATENT_SIZE));
  const labels = oneHot(Array.from({ length: samples }, () => rng.int(NUM_CLASSES)));
  return { z, labels };
}

/** max |a[i] - b[i]| over two outputs of one length; Infinity when either holds a NaN there. */
export function largestDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let largest = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs((a[i] as number) - (b[i] as number));
    if (Number.isNaN(d)) return Number.POSITIVE_INFINITY;
    if (d > largest) largest = d;
  }
  return largest;
}
