/**
 * What an evaluation measures, as data: the metrics object that eval.json holds and model.json's
 * `eval` repeats, and the samples kept for pictures. Produced by the trainer's evaluation run,
 * read by the report, the comparison table and the edge API's /models.
 */
import type { ClosestPair, Memorisation } from "@edgegan/shared/memorisation";

/** Format version of the metrics object (eval.json and the manifest's `eval`). */
export const EVAL_FORMAT_VERSION = 1;

/** The metrics of one generator: what eval.json holds and model.json's `eval` repeats. */
export interface EvalMetrics {
  formatVersion: typeof EVAL_FORMAT_VERSION;
  dataset: string;
  classNames: string[];
  /** sha256 of the evaluated ONNX bytes. */
  onnxSha256: string;
  evaluatedAt: string;
  samples: number;
  samplesPerClass: number;
  /** Seed of the sample plan (z of sample i = latentFromSeed(its seed)). */
  seed: number;
  /** Frechet distance, classifier features of the samples vs the test split (lower is better). */
  frechetDistance: number;
  /** Its parts: |mu1 - mu2|^2 and the covariance term. */
  frechetParts: { meanTerm: number; covTerm: number };
  /** The same distance for real train images vs the test split: the best a model can expect. */
  floor: { frechetDistance: number; trainImages: number };
  /** Share of samples read as the asked label (0..1), overall and per class (index = label). */
  labelAccuracy: number;
  labelAccuracyPerClass: number[];
  /** Entropy of predicted classes under uniform labels / ln(10), 0..1. */
  coverage: number;
  /** Share of samples read as each class. */
  predictedShare: number[];
  /**
   * Does it copy its training images? Nearest-training-image distances of the samples against
   * held-out test images' (schema: packages/shared/src/memorisation.ts). Absent in evaluations
   * made before it existed, or run with no memorisation samples.
   */
  memorisation?: Memorisation;
  classifier: {
    key: string;
    featureSize: number;
    testAccuracy: number;
    testImages: number;
  };
  seconds: { generate: number; classify: number; memorisation?: number; total: number };
}

/** Generated samples, kept for pictures. */
export interface EvalSamples {
  /** float32 [n, 1, 28, 28] flattened, in [-1, 1]. */
  images: Float32Array;
  /** uint8 [n] asked labels (class-major: perClass of class 0 first). */
  labels: Uint8Array;
  /** uint8 [n] classes the classifier read. */
  predictions: Uint8Array;
  count: number;
  /** The memorisation figure's closest pairs, with both images (absent when not measured). */
  closestPairs?: ClosestPairImages[];
}

/** A closest pair with its images: float32 [784] each, in [-1, 1]. */
export interface ClosestPairImages extends ClosestPair {
  sampleImage: Float32Array;
  trainImage: Float32Array;
}
