#!/usr/bin/env -S npx tsx
/**
 * What synthetic data is worth: train the evaluation classifier on a small real subset (e.g.
 * 500 and 2,000 train images) with and without N synthetic images from a generator, and report
 * the test accuracy of each. Every run sees about the same number of images (epochs scale with
 * the set size), so the comparison is not "more steps" in disguise.
 *
 * Run: `npm run augmentation -w @edgegan/experiments -- [--model DIR] [--real 500,2000]
 *       [--synthetic 10000] [--out FILE]` (prints a markdown table, writes JSON, by default to
 * artifacts/augmentation-<dataset>.json under the folder npm ran in).
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { type LabelledImages, readImages, trainClassifier } from "@edgegan/eval/classifier";
import { equalCounts } from "@edgegan/eval/eval-plan";
import { labelMetrics } from "@edgegan/eval/label-metrics";
import { readModelFolder } from "@edgegan/model/read-model-folder";
import { fromPixel, NUM_CLASSES, PIXELS_PER_IMAGE } from "@edgegan/shared";
import { seededSubset } from "@edgegan/shared/rng";
import {
  EDGE_MODEL_DIR,
  fromInvocationDir,
  loadDataset,
  selectBackend,
  synthesize,
  writeFileAtomic,
} from "@edgegan/trainer";

/** Options of {@link runAugmentationExperiment}. */
export interface AugmentationOptions {
  onnx: Uint8Array;
  dataset: string;
  /** Real train-set sizes to try; default [500, 2000]. */
  realSizes?: number[];
  /** Synthetic images added (equal per class); default 10,000. */
  syntheticCount?: number;
  /** Images each classifier sees in training (epochs = round(this / set size), >= 1); default 60,000. */
  imagesSeen?: number;
  /** Test images used (first N of the test split); default all. */
  testLimit?: number | null;
  batchSize?: number;
  seed?: number;
  log?: (line: string) => void;
}

/** One row of the result table. */
export interface AugmentationRow {
  real: number;
  synthetic: number;
  epochs: number;
  testAccuracy: number;
  trainSeconds: number;
}

function concatSets(a: LabelledImages, b: LabelledImages): LabelledImages {
  const images = new Float32Array(a.images.length + b.images.length);
  images.set(a.images);
  images.set(b.images, a.images.length);
  const labels = new Uint8Array(a.count + b.count);
  labels.set(a.labels);
  labels.set(b.labels, a.count);
  return { images, labels, count: a.count + b.count };
}

/**
 * Train one classifier per (real size, with/without synthetic) and measure test accuracy.
 * The real subsets are seeded random subsets of the train split (nested: the 500 are among the
 * 2,000); the synthetic set is generated once.
 */
export async function runAugmentationExperiment(
  options: AugmentationOptions,
): Promise<AugmentationRow[]> {
  const {
    realSizes = [500, 2000],
    syntheticCount = 10_000,
    imagesSeen = 60_000,
    testLimit = null,
    batchSize = 64,
    seed = 7,
    log = () => {},
  } = options;
  const train = loadDataset(options.dataset, "train");
  const test = loadDataset(options.dataset, "test", testLimit);
  log(`generating ${syntheticCount} synthetic images...`);
  const synth = await synthesize(options.onnx, equalCounts(syntheticCount), { seed });
  const synthetic: LabelledImages = {
    images: Float32Array.from(synth.pixels, fromPixel),
    labels: synth.labels,
    count: synth.count,
  };
  const order = seededSubset(train.count, Math.max(...realSizes), seed);
  const rows: AugmentationRow[] = [];
  for (const real of realSizes) {
    const indices = order.subarray(0, real);
    const realSet: LabelledImages = {
      images: new Float32Array(real * PIXELS_PER_IMAGE),
      labels: new Uint8Array(real),
      count: real,
    };
    indices.forEach((index, i) => {
      realSet.images.set(
        train.images.subarray(index * PIXELS_PER_IMAGE, (index + 1) * PIXELS_PER_IMAGE),
        i * PIXELS_PER_IMAGE,
      );
      realSet.labels[i] = train.labels[index] as number;
    });
    for (const withSynthetic of [false, true]) {
      const set = withSynthetic ? concatSets(realSet, synthetic) : realSet;
      const epochs = Math.max(1, Math.round(imagesSeen / set.count));
      const started = performance.now();
      const model = await trainClassifier(set, {
        epochs,
        batchSize: Math.min(batchSize, set.count),
        seed,
      });
      const trainSeconds = (performance.now() - started) / 1000;
      const readings = await readImages(model, test.images, test.count);
      model.dispose();
      const row = {
        real,
        synthetic: withSynthetic ? synthetic.count : 0,
        epochs,
        testAccuracy: labelMetrics(test.labels, readings.predictions).labelAccuracy,
        trainSeconds,
      };
      log(
        `real ${row.real} + synthetic ${row.synthetic}: test accuracy ${(row.testAccuracy * 100).toFixed(2)}% (${epochs} epochs, ${trainSeconds.toFixed(0)} s)`,
      );
      rows.push(row);
    }
  }
  return rows;
}

/** The result as a markdown table. */
export function augmentationTable(rows: AugmentationRow[]): string {
  const lines = [
    "| real images | synthetic images | epochs | test accuracy |",
    "|---:|---:|---:|---:|",
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.real} | ${r.synthetic} | ${r.epochs} | ${(r.testAccuracy * 100).toFixed(2)}% |`,
    );
  }
  return `${lines.join("\n")}\n`;
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: "string" },
      dataset: { type: "string" },
      real: { type: "string" },
      synthetic: { type: "string" },
      "images-seen": { type: "string" },
      "test-limit": { type: "string" },
      out: { type: "string" },
    },
  });
  const int = (name: string, v: string) => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < 1)
      throw new Error(`--${name} must be a positive integer, got "${v}"`);
    return n;
  };
  const modelDir = values.model ? fromInvocationDir(values.model) : EDGE_MODEL_DIR;
  const folder = await readModelFolder(modelDir);
  const dataset = values.dataset ?? folder.manifest.dataset.name;
  const realSizes = (values.real ?? "500,2000").split(",").map((s) => int("real", s.trim()));
  const backend = await selectBackend("wasm");
  console.log(
    `augmentation experiment: ${folder.manifest.version} on ${dataset} (${backend.name})`,
  );
  const rows = await runAugmentationExperiment({
    onnx: folder.onnx,
    dataset,
    realSizes,
    syntheticCount: values.synthetic ? int("synthetic", values.synthetic) : 10_000,
    imagesSeen: values["images-seen"] ? int("images-seen", values["images-seen"]) : 60_000,
    testLimit: values["test-limit"] ? int("test-limit", values["test-limit"]) : null,
    log: (line) => console.log(line),
  });
  const table = augmentationTable(rows);
  process.stdout.write(table);
  const out = fromInvocationDir(
    values.out ?? `artifacts/augmentation-${dataset.replace(/[^a-z0-9-]/gi, "_")}.json`,
  );
  writeFileAtomic(
    out,
    `${JSON.stringify({ model: folder.manifest.version, dataset, classes: NUM_CLASSES, rows }, null, 2)}\n`,
  );
  console.log(`wrote ${out}`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
