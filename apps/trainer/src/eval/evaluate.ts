/**
 * Evaluate a generator ONNX: generate a balanced, seeded set of samples through onnxruntime,
 * read them with the dataset's cached classifier, and compare with real data.
 *
 * This is the function the trainer calls (at the end of a run, or every N epochs with the
 * generator exported by exportGeneratorToOnnx) and the one `npm run eval` prints.
 */
import { FEATURE_SIZE, readImages } from "@edgegan/eval/classifier";
import { DEFAULT_EVAL_SEED, planEvaluation, SAMPLES_PER_CLASS } from "@edgegan/eval/eval-plan";
import { formatNearCopies } from "@edgegan/eval/format-metrics";
import { frechetDistance } from "@edgegan/eval/frechet-distance";
import { gaussianStats } from "@edgegan/eval/gaussian-stats";
import { labelMetrics } from "@edgegan/eval/label-metrics";
import { MEMORISATION_SAMPLES, measureMemorisation } from "@edgegan/eval/memorisation";
import {
  type ClosestPairImages,
  EVAL_FORMAT_VERSION,
  type EvalMetrics,
  type EvalSamples,
} from "@edgegan/eval/metrics";
import { generatePlan, openOnnxGenerator } from "@edgegan/model/onnx-generator";
import { PIXELS_PER_IMAGE, sha256Hex } from "@edgegan/shared";
import { gatherRows } from "@edgegan/shared/gather";
import type { Memorisation } from "@edgegan/shared/memorisation";
import type { PlannedImage } from "@edgegan/shared/sample-plan";
import { classNamesFor } from "../dataset.ts";
import {
  type EvalClassifier,
  type LoadOrTrainOptions,
  loadOrTrainClassifier,
} from "./classifier-cache.ts";
import { loadMemorisationReference } from "./memorisation-reference.ts";

/** Options of {@link evaluateGenerator}. */
export interface EvaluateOptions {
  /** "mnist", "fashion-mnist" or a directory of IDX files: the dataset the model was trained on. */
  dataset: string;
  /** Class names to report (default: the dataset's). */
  classNames?: string[];
  /** Samples per class; default {@link SAMPLES_PER_CLASS}. */
  samplesPerClass?: number;
  /** Seed of the sample plan; default 0 (same samples every time, comparable across models). */
  seed?: number;
  /** A classifier already loaded, or options for loading/training the cached one. */
  classifier?: EvalClassifier | LoadOrTrainOptions;
  /**
   * Samples whose nearest training image is searched for the memorisation figure (evenly spaced
   * over the plan); default {@link MEMORISATION_SAMPLES}, 0 = skip the figure.
   */
  memorisationSamples?: number;
  /** Generator batch size; default 250. */
  batchSize?: number;
  log?: (line: string) => void;
}

function isLoaded(value: EvaluateOptions["classifier"]): value is EvalClassifier {
  return typeof value === "object" && value !== null && "model" in value && "testStats" in value;
}

/**
 * Evaluate a generator and keep its samples (see {@link evaluateGenerator}).
 */
export async function evaluateGeneratorWithSamples(
  onnx: Uint8Array,
  options: EvaluateOptions,
): Promise<{ metrics: EvalMetrics; samples: EvalSamples }> {
  const classifier = await classifierFor(options);
  const classNames = options.classNames ?? classNamesFor(options.dataset);
  const plan = planEvaluation(
    options.samplesPerClass ?? SAMPLES_PER_CLASS,
    options.seed ?? DEFAULT_EVAL_SEED,
    classNames.length,
  );
  // timed from here: the classifier (trained on first use, minutes) is not the generator's time
  const started = performance.now();
  const generator = await openOnnxGenerator(onnx);
  let images: Float32Array;
  try {
    images = await generatePlan(generator, plan, options.batchSize ?? 250);
  } finally {
    await generator.release();
  }
  const generateSeconds = (performance.now() - started) / 1000;
  return evaluateImages(
    { images, plan, onnxSha256: await sha256Hex(onnx), generateSeconds },
    { ...options, classifier },
  );
}

/** Images made for an evaluation plan, by a generator named by its ONNX file's sha256. */
export interface PlannedImages {
  /** float32 [plan.length, 1, 28, 28] flattened, in [-1, 1]. */
  images: Float32Array;
  plan: PlannedImage[];
  onnxSha256: string;
  /** Seconds it took to make them (0 when not measured). */
  generateSeconds?: number;
}

async function classifierFor(options: EvaluateOptions): Promise<EvalClassifier> {
  const classifier = isLoaded(options.classifier)
    ? options.classifier
    : await loadOrTrainClassifier(options.dataset, { log: options.log, ...options.classifier });
  if (classifier.info.dataset !== options.dataset) {
    throw new Error(
      `the classifier was trained on ${classifier.info.dataset}, but the model is evaluated on ${options.dataset}`,
    );
  }
  return classifier;
}

/**
 * Judge images made for a plan: the metrics of {@link evaluateGenerator} without running a
 * generator, so any source of images (a test's "generator" that returns training images) is
 * measured exactly as a model is.
 */
export async function evaluateImages(
  made: PlannedImages,
  options: EvaluateOptions,
): Promise<{ metrics: EvalMetrics; samples: EvalSamples }> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const { images, plan } = made;
  if (images.length !== plan.length * PIXELS_PER_IMAGE) {
    throw new RangeError(
      `${plan.length} planned images need ${plan.length * PIXELS_PER_IMAGE} values, got ${images.length}`,
    );
  }
  const classNames = options.classNames ?? classNamesFor(options.dataset);
  const perClass = plan.length / classNames.length;
  const classifier = await classifierFor(options);
  const classifyStarted = performance.now();
  const readings = await readImages(classifier.model, images, plan.length);
  const classifySeconds = (performance.now() - classifyStarted) / 1000;
  const labels = Uint8Array.from(plan, (p) => p.label);
  const fd = frechetDistance(
    gaussianStats(readings.features, plan.length, FEATURE_SIZE),
    classifier.testStats,
  );
  const label = labelMetrics(labels, readings.predictions);
  const memorisationStarted = performance.now();
  const copies = await measureCopies(classifier, images, readings.features, options, log);
  const memorisationSeconds = (performance.now() - memorisationStarted) / 1000;
  const info = classifier.info;
  const metrics: EvalMetrics = {
    formatVersion: EVAL_FORMAT_VERSION,
    dataset: options.dataset,
    classNames,
    onnxSha256: made.onnxSha256,
    evaluatedAt: new Date().toISOString(),
    samples: plan.length,
    samplesPerClass: Number.isInteger(perClass) ? perClass : Math.round(perClass),
    seed: options.seed ?? DEFAULT_EVAL_SEED,
    frechetDistance: fd.distance,
    frechetParts: { meanTerm: fd.meanTerm, covTerm: fd.covTerm },
    floor: { frechetDistance: info.floor.distance, trainImages: info.floor.trainCount },
    labelAccuracy: label.labelAccuracy,
    labelAccuracyPerClass: label.labelAccuracyPerClass.map((v) => v ?? 0),
    coverage: label.coverage,
    predictedShare: label.predictedShare,
    ...(copies && { memorisation: copies.memorisation }),
    classifier: {
      key: info.key,
      featureSize: FEATURE_SIZE,
      testAccuracy: info.testAccuracy,
      testImages: info.testCount,
    },
    seconds: {
      generate: made.generateSeconds ?? 0,
      classify: classifySeconds,
      ...(copies && { memorisation: memorisationSeconds }),
      total: (made.generateSeconds ?? 0) + (performance.now() - started) / 1000,
    },
  };
  log(
    `evaluated ${plan.length} samples: FD ${fd.distance.toFixed(3)} (floor ${info.floor.distance.toFixed(3)}), ` +
      `label accuracy ${(label.labelAccuracy * 100).toFixed(2)}%, coverage ${label.coverage.toFixed(4)}` +
      (copies ? `, ${formatNearCopies(copies.memorisation)}` : ""),
  );
  return {
    metrics,
    samples: {
      images,
      labels,
      predictions: readings.predictions,
      count: plan.length,
      ...(copies && { closestPairs: copies.pairs }),
    },
  };
}

/**
 * The memorisation figure of `memorisationSamples` evenly spaced samples of the plan (class
 * balanced, since the plan is class-major), or null when that option is 0.
 */
async function measureCopies(
  classifier: EvalClassifier,
  images: Float32Array,
  features: Float32Array,
  options: EvaluateOptions,
  log: (line: string) => void,
): Promise<{ memorisation: Memorisation; pairs: ClosestPairImages[] } | null> {
  const n = images.length / PIXELS_PER_IMAGE;
  const wanted = Math.min(n, options.memorisationSamples ?? MEMORISATION_SAMPLES);
  if (wanted === 0) return null;
  const { reference, trainPixels } = await loadMemorisationReference(classifier, log);
  const rows = Uint32Array.from({ length: wanted }, (_, j) => Math.floor((j * n) / wanted));
  const memorisation = await measureMemorisation(
    {
      features: {
        values: gatherRows(features, FEATURE_SIZE, rows),
        count: wanted,
        dim: FEATURE_SIZE,
      },
      pixels: {
        values: gatherRows(images, PIXELS_PER_IMAGE, rows),
        count: wanted,
        dim: PIXELS_PER_IMAGE,
      },
    },
    reference,
    { sampleIndices: rows },
  );
  const pairs = memorisation.closestPairs.map((pair) => ({
    ...pair,
    sampleImage: images.slice(pair.sample * PIXELS_PER_IMAGE, (pair.sample + 1) * PIXELS_PER_IMAGE),
    trainImage: trainPixels.slice(
      pair.train * PIXELS_PER_IMAGE,
      (pair.train + 1) * PIXELS_PER_IMAGE,
    ),
  }));
  return { memorisation, pairs };
}

/**
 * Evaluate a generator ONNX against a dataset: Frechet distance of classifier features
 * (samples vs test split) beside the floor (train vs test), label accuracy overall and per
 * class, and coverage. Uses the active TF.js backend for the classifier (trained and cached on
 * first use: minutes once per dataset) and onnxruntime-web for the generator.
 *
 * @param onnx the generator graph's bytes (e.g. `exportGeneratorToOnnx(generator, arch)`)
 * @example
 * const metrics = await evaluateGenerator(exportGeneratorToOnnx(g, "dcgan"), { dataset: "mnist" });
 * console.log(metrics.frechetDistance, metrics.floor.frechetDistance, metrics.labelAccuracy);
 */
export async function evaluateGenerator(
  onnx: Uint8Array,
  options: EvaluateOptions,
): Promise<EvalMetrics> {
  return (await evaluateGeneratorWithSamples(onnx, options)).metrics;
}
