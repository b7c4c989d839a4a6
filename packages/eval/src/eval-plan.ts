/**
 * Which images an evaluation generates: `perClass` images of every class, class-major
 * (all of class 0, then class 1, ...), each with its own seed drawn from one seeded stream.
 * Every sample can thus be regenerated alone by the edge API: GET /sample?label=L&seed=S.
 */
import { NUM_CLASSES } from "@edgegan/shared";
import { assertSeed, createRng } from "@edgegan/shared/rng";
import type { PlannedImage } from "@edgegan/shared/sample-plan";

/** Default samples per class of an evaluation (10 classes: 10,000 images). */
export const SAMPLES_PER_CLASS = 1000;
/** The plan's seed when none is given: every model of a comparison gets the same latent vectors. */
export const DEFAULT_EVAL_SEED = 0;

/**
 * Plan `counts[c]` images of class c (class-major), seeds from `createRng(seed)`.
 * @param counts per class, NUM_CLASSES non-negative integers (not all zero)
 * @throws RangeError on a bad count list or seed.
 */
export function planPerClass(counts: readonly number[], seed: number): PlannedImage[] {
  assertSeed(seed);
  if (
    counts.length !== NUM_CLASSES ||
    !counts.every((c) => Number.isInteger(c) && c >= 0) ||
    counts.every((c) => c === 0)
  ) {
    throw new RangeError(
      `per-class counts must be ${NUM_CLASSES} non-negative integers, not all zero; got [${counts.join(", ")}]`,
    );
  }
  const rng = createRng(seed);
  const plan: PlannedImage[] = [];
  counts.forEach((count, label) => {
    for (let i = 0; i < count; i++)
      plan.push({ index: plan.length, label, seed: rng.nextUint32() });
  });
  return plan;
}

/** The evaluation plan: `perClass` of each of the first `classCount` classes (all 10 by default). */
export function planEvaluation(
  perClass: number = SAMPLES_PER_CLASS,
  seed: number = DEFAULT_EVAL_SEED,
  classCount: number = NUM_CLASSES,
): PlannedImage[] {
  if (!Number.isInteger(perClass) || perClass < 1) {
    throw new RangeError(`samples per class must be a positive integer, got ${perClass}`);
  }
  if (!Number.isInteger(classCount) || classCount < 1 || classCount > NUM_CLASSES) {
    throw new RangeError(`class count must be an integer in 1..${NUM_CLASSES}, got ${classCount}`);
  }
  return planPerClass(
    Array.from({ length: NUM_CLASSES }, (_, c) => (c < classCount ? perClass : 0)),
    seed,
  );
}

/**
 * Split `count` images over the classes as equally as possible (the first `count % 10`
 * classes get one more).
 * @throws RangeError when count is not a positive integer.
 */
export function equalCounts(count: number): number[] {
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`count must be a positive integer, got ${count}`);
  }
  const base = Math.floor(count / NUM_CLASSES);
  return Array.from({ length: NUM_CLASSES }, (_, c) => base + (c < count % NUM_CLASSES ? 1 : 0));
}
