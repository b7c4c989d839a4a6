/**
 * Evaluate a generator ONNX: generate a balanced, seeded set of samples through onnxruntime,
 * read them with the dataset's cached classifier, and compare with real data.
 *
 * This is the function the trainer calls (at the end of a run, or every N epochs with the
 * generator exported by exportGeneratorToOnnx) and the one `npm run eval` prints.
 */
import { createHash } from "node:crypto";
import { FEATURE_SIZE, readImages } from "@edgegan/eval/classifier";
import { planEvaluation, SAMPLES_PER_CLASS } from "@edgegan/eval/eval-plan";
import { frechetDistance } from "@edgegan/eval/frechet-distance";
import { gaussianStats } from "@edgegan/eval/gaussian-stats";
import { labelMetrics } from "@edgegan/eval/label-metrics";
import { EVAL_FORMAT_VERSION, type EvalMetrics, type EvalSamples } from "@edgegan/eval/metrics";
import { generatePlan, openOnnxGenerator } from "@edgegan/eval/onnx-generator";
import { classNamesFor } from "../dataset.ts";
import {
  type EvalClassifier,
  type LoadOrTrainOptions,
  loadOrTrainClassifier,
} from "./classifier-cache.ts";

/** Options of {@link evaluateGenerator}. */
export interface EvaluateOptions {
  /** "mnist", "fashion-mnist" or a directory of IDX files: the dataset the model was trained on. */
  dataset: string;
  /** Class names to report (default: the dataset's). */
  classNames?: string[];
  /** Samples per class; default 1,000 (10,000 in all). */
  samplesPerClass?: number;
  /** Seed of the sample plan; default 0 (same samples every time, comparable across models). */
  seed?: number;
  /** A classifier already loaded, or options for loading/training the cached one. */
  classifier?: EvalClassifier | LoadOrTrainOptions;
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
  const started = performance.now();
  const log = options.log ?? (() => {});
  const perClass = options.samplesPerClass ?? SAMPLES_PER_CLASS;
  const seed = options.seed ?? 0;
  const classifier = isLoaded(options.classifier)
    ? options.classifier
    : await loadOrTrainClassifier(options.dataset, { log, ...options.classifier });
  if (classifier.info.dataset !== options.dataset) {
    throw new Error(
      `the classifier was trained on ${classifier.info.dataset}, but the model is evaluated on ${options.dataset}`,
    );
  }
  const classNames = options.classNames ?? classNamesFor(options.dataset);
  const plan = planEvaluation(perClass, seed, classNames.length);
  const generator = await openOnnxGenerator(onnx);
  const genStarted = performance.now();
  let images: Float32Array;
  try {
    images = await generatePlan(generator, plan, options.batchSize ?? 250);
  } finally {
    await generator.release();
  }
  const generateSeconds = (performance.now() - genStarted) / 1000;
  const classifyStarted = performance.now();
  const readings = await readImages(classifier.model, images, plan.length);
  const classifySeconds = (performance.now() - classifyStarted) / 1000;
  const labels = Uint8Array.from(plan, (p) => p.label);
  const fd = frechetDistance(
    gaussianStats(readings.features, plan.length, FEATURE_SIZE),
    classifier.testStats,
  );
  const label = labelMetrics(labels, readings.predictions);
  const info = classifier.info;
  const metrics: EvalMetrics = {
    formatVersion: EVAL_FORMAT_VERSION,
    dataset: options.dataset,
    classNames,
    onnxSha256: createHash("sha256").update(onnx).digest("hex"),
    evaluatedAt: new Date().toISOString(),
    samples: plan.length,
    samplesPerClass: perClass,
    seed,
    frechetDistance: fd.distance,
    frechetParts: { meanTerm: fd.meanTerm, covTerm: fd.covTerm },
    floor: { frechetDistance: info.floor.distance, trainImages: info.floor.trainCount },
    labelAccuracy: label.labelAccuracy,
    labelAccuracyPerClass: label.labelAccuracyPerClass.map((v) => v ?? 0),
    coverage: label.coverage,
    predictedShare: label.predictedShare,
    classifier: {
      key: info.key,
      featureSize: FEATURE_SIZE,
      testAccuracy: info.testAccuracy,
      testImages: info.testCount,
    },
    seconds: {
      generate: generateSeconds,
      classify: classifySeconds,
      total: (performance.now() - started) / 1000,
    },
  };
  log(
    `evaluated ${plan.length} samples: FD ${fd.distance.toFixed(3)} (floor ${info.floor.distance.toFixed(3)}), ` +
      `label accuracy ${(label.labelAccuracy * 100).toFixed(2)}%, coverage ${label.coverage.toFixed(4)}`,
  );
  return {
    metrics,
    samples: { images, labels, predictions: readings.predictions, count: plan.length },
  };
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
