/**
 * The memorisation figure of an evaluation, as a schema: does the generator copy its training
 * images? `npm run eval` measures it (packages/eval/src/memorisation.ts), model.json's `eval`
 * carries it, `GET /model` shows it. Declared here so the trainer, which writes it, and every
 * reader of a manifest agree on its shape.
 *
 * The test: each sample's distance to its nearest training image, against the same distance for
 * real test images (which the generator never saw). The threshold is the 1st percentile of one
 * half of the test images' distances (the calibration half); the other half (held out) then has
 * about 1% below it by construction, and that share is the reference a generator must not exceed
 * by more than sampling noise (three standard errors of the difference of two shares).
 * Measured in two spaces: the evaluation classifier's features and raw pixels.
 */
import { z } from "zod";

const share = z.number().min(0).max(1);
const distance = z.number().min(0);

/** Percentiles of a set of nearest-training-image distances. */
const distanceSummarySchema = z.object({
  p1: distance,
  p5: distance,
  p50: distance,
  mean: distance,
});

/** One space (features or pixels): distances, threshold, and the shares under it. */
const memorisationSpaceSchema = z.object({
  /** Nearest-training-image distances of the generated samples. */
  samples: distanceSummarySchema,
  /** The same for the held-out test images. */
  test: distanceSummarySchema,
  /** 1st percentile of the calibration test images' distances: below it is a near-copy. */
  threshold: distance,
  /** Share of samples nearer to a training image than the threshold. */
  nearCopyShare: share,
  /** Share of held-out test images nearer than the threshold (about 0.01 by construction). */
  testNearCopyShare: share,
  /**
   * The near-copy share above which the samples are flagged: the test share plus three standard
   * errors of the difference (pooled), so a generator as close to the data as real images is not
   * flagged by chance.
   */
  limit: share,
});

/** A sample and its nearest training image (indices into the plan and the train split). */
const closestPairSchema = z.object({
  sample: z.number().int().nonnegative(),
  train: z.number().int().nonnegative(),
  space: z.enum(["features", "pixels"]),
  distance,
});

export const memorisationSchema = z.object({
  /** Generated samples measured (a class-balanced subset of the evaluation's plan, or all). */
  samples: z.number().int().positive(),
  /** Training images searched (the whole train split). */
  trainImages: z.number().int().positive(),
  /** Test images whose 1st percentile sets the thresholds, and those held out to compare with. */
  testCalibration: z.number().int().positive(),
  testHeldOut: z.number().int().positive(),
  features: memorisationSpaceSchema,
  pixels: memorisationSpaceSchema,
  /** True when, in either space, the samples' near-copy share exceeds its limit. */
  memorising: z.boolean(),
  /** The nearest pairs (a few per space, nearest first), shown in eval-samples.png. */
  closestPairs: z.array(closestPairSchema),
});

export type DistanceSummary = z.infer<typeof distanceSummarySchema>;
export type MemorisationSpace = z.infer<typeof memorisationSpaceSchema>;
export type ClosestPair = z.infer<typeof closestPairSchema>;
export type Memorisation = z.infer<typeof memorisationSchema>;
