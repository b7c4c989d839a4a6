/**
 * Node's one runner of a generator ONNX: onnxruntime-web (wasm, one thread), the runtime the edge
 * worker uses, so the export's parity gate (./onnx-parity.ts), evaluation, synthetic data and a
 * distillation teacher all judge or learn from the very bytes that are served, not a TF.js twin.
 */
import {
  imageBatchShape,
  LATENT_SIZE,
  NUM_CLASSES,
  ONNX_IO,
  PIXELS_PER_IMAGE,
} from "@edgegan/shared";
import { buildGeneratorInputs, type PlannedImage } from "@edgegan/shared/sample-plan";
import * as ort from "onnxruntime-web/wasm";

/** An open generator session. Call `release` when done. */
export interface OnnxGenerator {
  /**
   * Generate n images. z float32 [n, LATENT_SIZE], label float32 one-hot [n, NUM_CLASSES];
   * returns float32 [n, 1, 28, 28] in [-1, 1].
   */
  run(z: Float32Array, label: Float32Array, n: number): Promise<Float32Array>;
  release(): Promise<void>;
}

/**
 * Open a generator graph (onnxruntime-web wasm, one thread).
 * @throws Error when onnxruntime cannot load the bytes, or (on run) when the output is not
 *   float32 [n, 1, 28, 28].
 */
export async function openOnnxGenerator(onnx: Uint8Array): Promise<OnnxGenerator> {
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = "error";
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(onnx);
  } catch (error) {
    throw new Error(
      `onnxruntime could not load the generator (${onnx.length} bytes): ${error instanceof Error ? error.message : error}`,
    );
  }
  return {
    async run(z, label, n) {
      const result = await session.run({
        [ONNX_IO.latentInput]: new ort.Tensor("float32", z, [n, LATENT_SIZE]),
        [ONNX_IO.labelInput]: new ort.Tensor("float32", label, [n, NUM_CLASSES]),
      });
      const image = result[ONNX_IO.imageOutput];
      const want = imageBatchShape(n);
      if (image?.type !== "float32" || image.dims.join() !== want.join()) {
        throw new Error(
          `generator output "${ONNX_IO.imageOutput}" must be float32 [${want}], got ${
            image ? `${image.type} [${image.dims}]` : `outputs ${Object.keys(result).join(", ")}`
          }`,
        );
      }
      const data = image.data as Float32Array;
      image.dispose();
      return data;
    },
    release: () => session.release(),
  };
}

/**
 * Open the graph, generate n images once and release it: a one-off comparison's runner.
 * z float32 [n, LATENT_SIZE], label one-hot [n, NUM_CLASSES] -> float32 [n, 1, 28, 28].
 */
export async function generateOnce(
  onnx: Uint8Array,
  z: Float32Array,
  label: Float32Array,
  n: number,
): Promise<Float32Array> {
  const generator = await openOnnxGenerator(onnx);
  try {
    return await generator.run(z, label, n);
  } finally {
    await generator.release();
  }
}

/**
 * Generate the images of a plan, `batchSize` at a time: image i is the generator's output for
 * `latentFromSeed(plan[i].seed)` and label `plan[i].label`, exactly what the edge API serves
 * for that (label, seed).
 * @returns float32 [plan.length, 1, 28, 28] flattened, in [-1, 1]
 */
export async function generatePlan(
  generator: OnnxGenerator,
  plan: readonly PlannedImage[],
  batchSize = 250,
  onProgress: (done: number) => void = () => {},
): Promise<Float32Array> {
  const out = new Float32Array(plan.length * PIXELS_PER_IMAGE);
  for (let start = 0; start < plan.length; start += batchSize) {
    const part = plan.slice(start, start + batchSize);
    const { z, label } = buildGeneratorInputs(part);
    out.set(await generator.run(z, label, part.length), start * PIXELS_PER_IMAGE);
    onProgress(start + part.length);
  }
  return out;
}
