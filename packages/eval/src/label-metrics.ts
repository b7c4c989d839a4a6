/**
 * What the classifier's readings of generated samples say: does each image show the class
 * asked for (label accuracy, overall and per class), and does the generator cover all classes
 * (coverage: entropy of the predicted classes over samples whose labels are spread uniformly,
 * divided by ln(NUM_CLASSES): 1 = every class equally often, 0 = a single class).
 */
import { NUM_CLASSES } from "@edgegan/shared";

/** Label metrics of a set of samples. */
export interface LabelMetrics {
  /** Share of samples read as their asked label (0..1). */
  labelAccuracy: number;
  /** Per asked class (index = label), 0..1; NaN-free: a class never asked gets null. */
  labelAccuracyPerClass: (number | null)[];
  /** Entropy of the predicted-class histogram / ln(NUM_CLASSES), 0..1. */
  coverage: number;
  /** Share of samples read as each class (index = class). */
  predictedShare: number[];
  /** confusion[asked][read] counts, NUM_CLASSES x NUM_CLASSES. */
  confusion: number[][];
}

/**
 * Compute label metrics from asked labels and predicted classes.
 * For coverage to mean "under uniform label sampling", ask every class equally often
 * (the evaluation plan does: a stratified uniform sample).
 * @throws RangeError when the arrays differ in length, are empty or hold a class out of range.
 */
export function labelMetrics(asked: ArrayLike<number>, read: ArrayLike<number>): LabelMetrics {
  if (asked.length !== read.length || asked.length === 0) {
    throw new RangeError(
      `need equal, non-zero numbers of asked labels and readings, got ${asked.length} and ${read.length}`,
    );
  }
  const confusion = Array.from({ length: NUM_CLASSES }, () =>
    new Array<number>(NUM_CLASSES).fill(0),
  );
  let right = 0;
  for (let i = 0; i < asked.length; i++) {
    const a = asked[i] as number;
    const r = read[i] as number;
    if (
      !(
        a >= 0 &&
        a < NUM_CLASSES &&
        r >= 0 &&
        r < NUM_CLASSES &&
        Number.isInteger(a) &&
        Number.isInteger(r)
      )
    ) {
      throw new RangeError(
        `sample ${i}: asked ${a}, read ${r}; classes must be integers in 0..${NUM_CLASSES - 1}`,
      );
    }
    const row = confusion[a] as number[];
    row[r] = (row[r] as number) + 1;
    if (a === r) right++;
  }
  const n = asked.length;
  const predictedShare = Array.from(
    { length: NUM_CLASSES },
    (_, c) => confusion.reduce((s, row) => s + (row[c] as number), 0) / n,
  );
  let entropy = 0;
  for (const p of predictedShare) if (p > 0) entropy -= p * Math.log(p);
  return {
    labelAccuracy: right / n,
    labelAccuracyPerClass: confusion.map((row, c) => {
      const total = row.reduce((s, v) => s + v, 0);
      return total === 0 ? null : (row[c] as number) / total;
    }),
    coverage: entropy / Math.log(NUM_CLASSES),
    predictedShare,
    confusion,
  };
}
