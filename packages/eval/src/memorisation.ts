/**
 * Does a generator copy its training images? The memorisation figure of an evaluation.
 *
 * Real test images are the yardstick: the generator never saw them, so their distances to the
 * nearest training image show how close an honest new image of the same data comes to the
 * training set. The test split is halved by a seeded shuffle: the 1st percentile of the
 * calibration half's distances is the threshold, and the held-out half's share under it (about
 * 1%) is the reference. A sample nearer to a training image than the threshold is a near-copy;
 * a generator whose near-copy share exceeds the held-out test images' share by more than sampling
 * noise (three standard errors), in the classifier's feature space or in pixels, is flagged as
 * memorising. A generator that returns training images has every sample at distance 0: share 100%.
 *
 * The reference (test-to-train distances) depends only on the data and the classifier, so it is
 * computed once ({@link memorisationReference}) and reused for every model of an eval run.
 */
import type {
  ClosestPair,
  DistanceSummary,
  Memorisation,
  MemorisationSpace,
} from "@edgegan/shared/memorisation";
import { seededPermutation } from "@edgegan/shared/rng";
import { type NeighbourOptions, nearestNeighbours, type Rows } from "./nearest-neighbour.ts";

/** The two spaces a distance is measured in. */
export const SPACES = ["features", "pixels"] as const;
export type Space = (typeof SPACES)[number];

/** A set of images in both spaces (same row order). */
export interface ImagesInSpaces {
  features: Rows;
  pixels: Rows;
}

/** Quantile of the calibration distances that sets the threshold. */
const NEAR_COPY_QUANTILE = 0.01;

/**
 * Default samples searched for near-copies (evenly spaced over the plan, 200 per class by default):
 * one in five of the default plan, since the 784-pixel search costs ~0.1 T multiply-adds per
 * 2,000 samples (a minute or more on 2 busy cores).
 */
export const MEMORISATION_SAMPLES = 2000;

/** Pairs per space kept for the picture. */
const CLOSEST_PAIRS_PER_SPACE = 6;

/** What every model's measurement compares against: the train set and the test split's distances. */
export interface MemorisationReference {
  train: ImagesInSpaces;
  testCalibration: number;
  testHeldOut: number;
  byspace: Record<Space, { threshold: number; heldOut: Float32Array }>;
}

/** Options of {@link memorisationReference}. */
export interface ReferenceOptions {
  /** Seed of the test split's halving; default 0. */
  seed?: number;
  neighbours?: NeighbourOptions;
}

/** Rows `indices` of a matrix. */
function pickRows(rows: Rows, indices: ArrayLike<number>): Rows {
  const values = new Float32Array(indices.length * rows.dim);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k] as number;
    values.set(rows.values.subarray(i * rows.dim, (i + 1) * rows.dim), k * rows.dim);
  }
  return { values, count: indices.length, dim: rows.dim };
}

/**
 * The k-th smallest value with k = ceil(q * n) (nearest rank), so that fewer than q * n values lie
 * strictly below it. q = 0.01 of 5,000 distances: the 50th smallest.
 */
export function nearestRankQuantile(values: Float32Array, q: number): number {
  if (values.length === 0) throw new RangeError("need at least one value for a quantile");
  const sorted = Float32Array.from(values).sort();
  const k = Math.min(values.length, Math.max(1, Math.ceil(q * values.length)));
  return sorted[k - 1] as number;
}

/** Standard errors of the share difference allowed before a generator is flagged. */
const NOISE_ALLOWANCE = 3;

/**
 * The flagging limit: the reference share plus {@link NOISE_ALLOWANCE} standard errors of the
 * difference of two shares, pooled: sqrt(p (1 - p) (1/n + 1/m)), p the share of both sets together.
 * Worked: 10 of 2,000 samples and 25 of 5,000 test images: p = 35/7000 = 0.005,
 * SE = sqrt(0.005 * 0.995 * (1/2000 + 1/5000)) = 0.00187, limit = 0.005 + 3 * 0.00187 = 0.0106.
 */
export function nearCopyLimit(
  sampleShare: number,
  samples: number,
  testShare: number,
  tests: number,
): number {
  const pooled = (sampleShare * samples + testShare * tests) / (samples + tests);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / samples + 1 / tests));
  return Math.min(1, testShare + NOISE_ALLOWANCE * se);
}

/** Share of `values` strictly below `threshold`. */
export function shareBelow(values: Float32Array, threshold: number): number {
  let below = 0;
  for (const v of values) if (v < threshold) below++;
  return below / values.length;
}

function summarise(distances: Float32Array): DistanceSummary {
  let sum = 0;
  for (const d of distances) sum += d;
  return {
    p1: nearestRankQuantile(distances, 0.01),
    p5: nearestRankQuantile(distances, 0.05),
    p50: nearestRankQuantile(distances, 0.5),
    mean: sum / distances.length,
  };
}

/**
 * Compute the reference once per dataset and classifier: the test split halved (seeded), the
 * calibration half's nearest-training distances (-> thresholds) and the held-out half's.
 * @param train the training images (features and pixels), e.g. all 60,000
 * @param test the test split, at least 2 images
 * @throws RangeError on mismatched or empty sets.
 */
export async function memorisationReference(
  train: ImagesInSpaces,
  test: ImagesInSpaces,
  { seed = 0, neighbours }: ReferenceOptions = {},
): Promise<MemorisationReference> {
  if (test.features.count !== test.pixels.count || train.features.count !== train.pixels.count) {
    throw new RangeError("features and pixels must describe the same images (counts differ)");
  }
  if (test.features.count < 2) throw new RangeError("need at least 2 test images to halve");
  const order = seededPermutation(test.features.count, seed);
  const half = Math.floor(order.length / 2);
  const calibration = order.subarray(0, half);
  const heldOut = order.subarray(half);
  const byspace = {} as MemorisationReference["byspace"];
  for (const space of SPACES) {
    const calibrationNn = await nearestNeighbours(
      pickRows(test[space], calibration),
      train[space],
      neighbours,
    );
    const heldOutNn = await nearestNeighbours(
      pickRows(test[space], heldOut),
      train[space],
      neighbours,
    );
    byspace[space] = {
      threshold: nearestRankQuantile(calibrationNn.distances, NEAR_COPY_QUANTILE),
      heldOut: heldOutNn.distances,
    };
  }
  return { train, testCalibration: calibration.length, testHeldOut: heldOut.length, byspace };
}

/** Options of {@link measureMemorisation}. */
export interface MeasureOptions {
  /** Pairs per space for the picture; default {@link CLOSEST_PAIRS_PER_SPACE}. */
  pairsPerSpace?: number;
  neighbours?: NeighbourOptions;
  /** Plan index of each sample row (default: the row number), for the pairs. */
  sampleIndices?: ArrayLike<number>;
}

/**
 * The memorisation figure of a set of samples against a reference.
 * @param samples generated images in both spaces (same row order)
 * @example
 * const reference = await memorisationReference(train, test);
 * const m = await measureMemorisation(samples, reference);
 * m.memorising; // false for a generator that makes new images
 */
export async function measureMemorisation(
  samples: ImagesInSpaces,
  reference: MemorisationReference,
  { pairsPerSpace = CLOSEST_PAIRS_PER_SPACE, neighbours, sampleIndices }: MeasureOptions = {},
): Promise<Memorisation> {
  if (samples.features.count !== samples.pixels.count) {
    throw new RangeError(
      "sample features and pixels must describe the same images (counts differ)",
    );
  }
  const spaces = {} as Record<Space, MemorisationSpace>;
  const closestPairs: ClosestPair[] = [];
  for (const space of SPACES) {
    const { threshold, heldOut } = reference.byspace[space];
    const nn = await nearestNeighbours(samples[space], reference.train[space], neighbours);
    const nearCopyShare = shareBelow(nn.distances, threshold);
    const testNearCopyShare = shareBelow(heldOut, threshold);
    spaces[space] = {
      samples: summarise(nn.distances),
      test: summarise(heldOut),
      threshold,
      nearCopyShare,
      testNearCopyShare,
      limit: nearCopyLimit(nearCopyShare, nn.distances.length, testNearCopyShare, heldOut.length),
    };
    const nearest = Array.from(nn.distances.keys())
      .sort((a, b) => (nn.distances[a] as number) - (nn.distances[b] as number))
      .slice(0, pairsPerSpace);
    for (const row of nearest) {
      closestPairs.push({
        sample: sampleIndices ? (sampleIndices[row] as number) : row,
        train: nn.indices[row] as number,
        space,
        distance: nn.distances[row] as number,
      });
    }
  }
  return {
    samples: samples.features.count,
    trainImages: reference.train.features.count,
    testCalibration: reference.testCalibration,
    testHeldOut: reference.testHeldOut,
    features: spaces.features,
    pixels: spaces.pixels,
    memorising: SPACES.some((s) => spaces[s].nearCopyShare > spaces[s].limit),
    closestPairs,
  };
}
