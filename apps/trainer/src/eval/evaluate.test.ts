/**
 * Metric plumbing on the shipped fixture generator (untrained) and a tiny classifier: shapes,
 * balance, seeded reproducibility, agreement with onnxruntime, and eval.json / model.json
 * writing that keeps the manifest's sha256 valid and refuses a foreign model.
 */
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderEvalPicture } from "@edgegan/eval/eval-picture";
import { planEvaluation } from "@edgegan/eval/eval-plan";
import { formatMetricsTable } from "@edgegan/eval/format-metrics";
import { readModelFolder } from "@edgegan/model/read-model-folder";
import { EVAL_FILE, NUM_CLASSES, PIXELS_PER_IMAGE } from "@edgegan/shared";
import { gatherRows } from "@edgegan/shared/gather";
import { parseManifest } from "@edgegan/shared/manifest";
import type { PlannedImage } from "@edgegan/shared/sample-plan";
import { beforeAll, describe, expect, it } from "vitest";
import { copyShippedModel, TINY_CLASSIFIER, tinyClassifier, useWasm } from "../../test/fixtures.ts";
import { loadDataset } from "../dataset.ts";
import type { EvalClassifier } from "./classifier-cache.ts";
import { evaluateGenerator, evaluateGeneratorWithSamples, evaluateImages } from "./evaluate.ts";
import { writeEvalBesideModel } from "./manifest-eval.ts";

let classifier: EvalClassifier;
let modelDir: string;
let onnx: Uint8Array;

beforeAll(async () => {
  await useWasm();
  classifier = await tinyClassifier();
  modelDir = copyShippedModel();
  onnx = (await readModelFolder(modelDir)).onnx;
});

describe("evaluateGenerator", () => {
  it("generates a balanced seeded set and reports consistent metrics", async () => {
    const { metrics, samples } = await evaluateGeneratorWithSamples(onnx, {
      dataset: "mnist",
      samplesPerClass: 6,
      seed: 3,
      classifier,
    });
    expect(metrics.samples).toBe(60);
    expect(samples.images.length).toBe(60 * PIXELS_PER_IMAGE);
    expect(Array.from(samples.labels.slice(0, 7))).toEqual([0, 0, 0, 0, 0, 0, 1]);
    expect(metrics.onnxSha256).toBe(createHash("sha256").update(onnx).digest("hex"));
    expect(metrics.labelAccuracyPerClass).toHaveLength(NUM_CLASSES);
    const meanPerClass = metrics.labelAccuracyPerClass.reduce((a, b) => a + b, 0) / NUM_CLASSES;
    expect(metrics.labelAccuracy).toBeCloseTo(meanPerClass, 12); // balanced classes
    expect(metrics.predictedShare.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(metrics.coverage).toBeGreaterThanOrEqual(0);
    expect(metrics.coverage).toBeLessThanOrEqual(1);
    expect(metrics.frechetDistance).toBeGreaterThan(0);
    expect(metrics.frechetDistance).toBeCloseTo(
      metrics.frechetParts.meanTerm + metrics.frechetParts.covTerm,
      6,
    );
    expect(metrics.floor.frechetDistance).toBe(classifier.info.floor.distance);
    // readings agree with the samples kept for the picture
    const right = samples.labels.filter((l, i) => samples.predictions[i] === l).length;
    expect(metrics.labelAccuracy).toBeCloseTo(right / 60, 12);
    // untrained generator: its images are noise, far from real digits
    expect(metrics.frechetDistance).toBeGreaterThan(metrics.floor.frechetDistance);

    const again = await evaluateGenerator(onnx, {
      dataset: "mnist",
      samplesPerClass: 6,
      seed: 3,
      classifier,
    });
    expect(again.frechetDistance).toBe(metrics.frechetDistance);
    expect(again.labelAccuracyPerClass).toEqual(metrics.labelAccuracyPerClass);

    const table = formatMetricsTable(metrics);
    expect(table).toContain(`floor, ${metrics.floor.trainImages} train vs test`);
    expect(table.split("\n").filter((l) => /^ {4}\s?\d /.test(l))).toHaveLength(NUM_CLASSES);

    const picture = renderEvalPicture(samples.images, samples.labels, samples.predictions, 6);
    expect(picture.wrong).toHaveLength(60 - right);
  });

  it("refuses a classifier of another dataset", async () => {
    await expect(
      evaluateGenerator(onnx, { dataset: "fashion-mnist", samplesPerClass: 1, classifier }),
    ).rejects.toThrow(/trained on mnist, but the model is evaluated on fashion-mnist/);
  });
});

describe("the memorisation figure", () => {
  /** A "generator" that returns training images: for each planned label, the next train image of it. */
  function trainingImagesFor(plan: PlannedImage[]): { images: Float32Array; picked: number[] } {
    const train = loadDataset("mnist", "train", TINY_CLASSIFIER.trainLimit ?? null);
    const next = new Array<number>(NUM_CLASSES).fill(0);
    const picked = plan.map(({ label }) => {
      let i = next[label] as number;
      while (train.labels[i] !== label) i++;
      next[label] = i + 1;
      return i;
    });
    return { images: gatherRows(train.images, PIXELS_PER_IMAGE, picked), picked };
  }

  it("flags a generator that returns training images: every sample a near-copy at distance 0", async () => {
    const plan = planEvaluation(6, 3);
    const { images, picked } = trainingImagesFor(plan);
    const { metrics, samples } = await evaluateImages(
      { images, plan, onnxSha256: "0".repeat(64) },
      { dataset: "mnist", classifier },
    );
    const m = metrics.memorisation;
    expect(m?.memorising).toBe(true);
    expect(m?.samples).toBe(60);
    expect(m?.trainImages).toBe(TINY_CLASSIFIER.trainLimit);
    expect(m?.features.nearCopyShare).toBe(1);
    expect(m?.pixels.nearCopyShare).toBe(1);
    for (const pair of m?.closestPairs ?? []) {
      expect(pair.train).toBe(picked[pair.sample]);
      expect(pair.distance).toBeLessThan(0.01);
    }
    expect(samples.closestPairs?.[0]?.trainImage).toEqual(samples.closestPairs?.[0]?.sampleImage);
    expect(formatMetricsTable(metrics)).toMatch(/memorisation\s+MEMORISING/);
  });

  it("passes the shipped generator, and the figure survives model.json's schema", async () => {
    const { metrics, samples } = await evaluateGeneratorWithSamples(onnx, {
      dataset: "mnist",
      samplesPerClass: 6,
      seed: 3,
      classifier,
    });
    const m = metrics.memorisation;
    expect(m?.memorising).toBe(false);
    expect(m?.pixels.nearCopyShare).toBeLessThanOrEqual(m?.pixels.limit ?? 0);
    expect(m?.pixels.samples.p1).toBeGreaterThan(1); // no sample is a copy
    expect(samples.closestPairs).toHaveLength(12);
    const manifest = parseManifest({
      ...(await readModelFolder(modelDir)).manifest,
      eval: metrics,
    });
    expect(manifest.eval?.memorisation).toEqual(m);
    const skipped = await evaluateGenerator(onnx, {
      dataset: "mnist",
      samplesPerClass: 1,
      memorisationSamples: 0,
      classifier,
    });
    expect(skipped.memorisation).toBeUndefined();
  });
});

describe("writeEvalBesideModel", () => {
  it("writes eval.json and merges it into model.json without touching the ONNX", async () => {
    const metrics = await evaluateGenerator(onnx, {
      dataset: "mnist",
      samplesPerClass: 2,
      classifier,
    });
    const before = await readModelFolder(modelDir);
    await writeEvalBesideModel(modelDir, metrics);
    const manifest = parseManifest(JSON.parse(readFileSync(join(modelDir, "model.json"), "utf8")));
    expect(manifest.eval?.frechetDistance).toBe(metrics.frechetDistance);
    expect(manifest.onnx).toEqual(before.manifest.onnx);
    expect(JSON.parse(readFileSync(join(modelDir, EVAL_FILE), "utf8")).labelAccuracy).toBe(
      metrics.labelAccuracy,
    );
    await expect(readModelFolder(modelDir)).resolves.toBeDefined(); // sha256 still matches
  });

  it("refuses metrics of other ONNX bytes, and a folder whose ONNX does not match its manifest", async () => {
    const metrics = await evaluateGenerator(onnx, {
      dataset: "mnist",
      samplesPerClass: 1,
      classifier,
    });
    await expect(
      writeEvalBesideModel(modelDir, { ...metrics, onnxSha256: "0".repeat(64) }),
    ).rejects.toThrow(/is not .*generator\.onnx.*nothing written/);
    const broken = copyShippedModel();
    writeFileSync(join(broken, "generator.onnx"), new Uint8Array([1, 2, 3]));
    await expect(writeEvalBesideModel(broken, metrics)).rejects.toThrow(/do not belong together/);
  });
});
