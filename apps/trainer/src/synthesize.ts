/**
 * Synthetic labelled datasets from a generator ONNX (the seed's second business use: data
 * augmentation). Images are generated per class through onnxruntime, shuffled with a seeded
 * permutation (so the first N of the file are still about balanced), and written as
 * `train-images-idx3-ubyte` + `train-labels-idx1-ubyte`, plus `synth.json` saying where they
 * came from. Every file is written atomically.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { planPerClass } from "@edgegan/eval/eval-plan";
import { generatePlan, openOnnxGenerator } from "@edgegan/model/onnx-generator";
import { PIXELS_PER_IMAGE, toPixels } from "@edgegan/shared";
import { gatherRows } from "@edgegan/shared/gather";
import { encodeIdxImages, encodeIdxLabels } from "@edgegan/shared/idx";
import { seededPermutation } from "@edgegan/shared/rng";
import { writeFileAtomic } from "./atomic-write.ts";

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
  const order = seededPermutation(count, (seed ^ 0x5a5a5a5a) >>> 0);
  const pixels = gatherRows(ordered, PIXELS_PER_IMAGE, order);
  const labels = gatherRows(
    Uint8Array.from(plan, (p) => p.label),
    1,
    order,
  );
  return { pixels, labels, count, perClass: [...perClass] };
}

/**
 * Write a synthetic set into `dir` (created if needed) as IDX files + synth.json.
 * @param source what made it, recorded in synth.json: the model folder, its version and the
 *   sha256 of its ONNX file as its (verified) manifest states it
 * @returns the paths written
 */
export function writeSyntheticSet(
  dir: string,
  set: SyntheticSet,
  source: { onnxSha256: string; model?: string; seed: number; manifestVersion?: string },
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
    onnxSha256: source.onnxSha256,
    files: { images: SYNTH_IMAGES_FILE, labels: SYNTH_LABELS_FILE },
  };
  writeFileAtomic(paths[2] as string, `${JSON.stringify(info, null, 2)}\n`);
  return paths;
}
