/**
 * Synthetic labelled datasets from a generator ONNX (the seed's second business use: data
 * augmentation). Images are generated per class through onnxruntime, shuffled with a seeded
 * permutation (so the first N of the file are still about balanced), and written as
 * `train-images-idx3-ubyte` + `train-labels-idx1-ubyte`, plus `synth.json` saying where they
 * came from. Every file is written atomically.
 */
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { PIXELS_PER_IMAGE, toPixels } from "@edgegan/shared";
import { createRng } from "@edgegan/shared/rng";
import { writeFileAtomic } from "../atomic-write.ts";
import { planPerClass } from "./eval-plan.ts";
import { encodeIdxImages, encodeIdxLabels } from "./idx-write.ts";
import { generatePlan, openOnnxGenerator } from "./onnx-generator.ts";

export const SYNTH_IMAGES_FILE = "train-images-idx3-ubyte";
export const SYNTH_LABELS_FILE = "train-labels-idx1-ubyte";
export const SYNTH_INFO_FILE = "synth.json";

/** A synthetic dataset in memory. */
export interface SyntheticSet {
  /** uint8 [count, 28, 28] pixels (toPixel of the generator output). */
  pixels: Uint8Array;
  /** uint8 [count] labels. */
  labels: Uint8Array;
  count: number;
  perClass: number[];
}

/**
 * Generate `perClass[c]` images of each class c, shuffled (seeded).
 * @throws RangeError on bad counts or seed; Error when onnxruntime refuses the model.
 */
export async function synthesize(
  onnx: Uint8Array,
  perClass: number[],
  { seed = 0, batchSize = 250, onProgress = (_done: number, _total: number) => {} } = {},
): Promise<SyntheticSet> {
  const plan = planPerClass(perClass, seed);
  const generator = await openOnnxGenerator(onnx);
  let values: Float32Array;
  try {
    values = await generatePlan(generator, plan, batchSize, (done) =>
      onProgress(done, plan.length),
    );
  } finally {
    await generator.release();
  }
  const ordered = toPixels(values);
  const count = plan.length;
  const order = Uint32Array.from({ length: count }, (_, i) => i);
  const rng = createRng((seed ^ 0x5a5a5a5a) >>> 0);
  for (let i = count - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  const pixels = new Uint8Array(count * PIXELS_PER_IMAGE);
  const labels = new Uint8Array(count);
  order.forEach((from, to) => {
    pixels.set(
      ordered.subarray(from * PIXELS_PER_IMAGE, (from + 1) * PIXELS_PER_IMAGE),
      to * PIXELS_PER_IMAGE,
    );
    labels[to] = (plan[from] as { label: number }).label;
  });
  return { pixels, labels, count, perClass: [...perClass] };
}

/**
 * Write a synthetic set into `dir` (created if needed) as IDX files + synth.json.
 * @param source what made it: recorded in synth.json with the ONNX sha256
 * @returns the paths written
 */
export function writeSyntheticSet(
  dir: string,
  set: SyntheticSet,
  source: { onnx: Uint8Array; model?: string; seed: number; manifestVersion?: string },
): string[] {
  mkdirSync(dir, { recursive: true });
  const paths = [
    join(dir, SYNTH_IMAGES_FILE),
    join(dir, SYNTH_LABELS_FILE),
    join(dir, SYNTH_INFO_FILE),
  ];
  writeFileAtomic(paths[0] as string, encodeIdxImages(set.pixels, set.count));
  writeFileAtomic(paths[1] as string, encodeIdxLabels(set.labels));
  const info = {
    kind: "edgegan-synthetic-dataset",
    createdAt: new Date().toISOString(),
    count: set.count,
    perClass: set.perClass,
    seed: source.seed,
    model: source.model ?? null,
    modelVersion: source.manifestVersion ?? null,
    onnxSha256: createHash("sha256").update(source.onnx).digest("hex"),
    files: { images: SYNTH_IMAGES_FILE, labels: SYNTH_LABELS_FILE },
  };
  writeFileAtomic(paths[2] as string, `${JSON.stringify(info, null, 2)}\n`);
  return paths;
}
