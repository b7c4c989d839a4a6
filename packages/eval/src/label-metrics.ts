/**
 * What the classifier's readings of generated samples say: does each image show the class
 * asked for (label accuracy, overall and per class), and does the generator cover all classes
 * (coverage: entropy of the predicted classes over samples whose labels are spread uniformly,
 * divided by ln of the number of classes asked for: 1 = every class equally often, 0 = a single
 * class; a model of fewer classes than the contract's 10 is judged over its own).
 */
import { NUM_CLASSES } from "@edgegan/shared";

/** Label metrics of a set of samples. */
export interface LabelMetrics {
  /** Share of samples read as their asked label (0..1). */
  labelAccuracy: number;
  /** Per asked class (index = label), 0..1; NaN-free: a class never asked gets null. */
  labelAccuracyPerClass: (number | null)[];
  /** Entropy of the predicted-class histogram / ln(classes asked for), 0..1 (1 when only one is asked). */
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
  const askedClasses = confusion.filter((row) => row.some((v) => v > 0)).length;
  let entropy = 0;
  for (const p of predictedShare) if (p > 0) entropy -= p * Math.log(p);
  return {
    labelAccuracy: right / n,
    labelAccuracyPerClass: confusion.map((row, c) => {
      const total = row.reduce((s, v) => s + v, 0);
      return total === 0 ? null : (row[c] as number) / total;
    }),
    // readings outside the asked classes could push the ratio past 1: it is capped there
    coverage: askedClasses > 1 ? Math.min(1, entropy / Math.log(askedClasses)) : 1,
    predictedShare,
    confusion,
  };
}
