/**
 * The learning-rate schedule (`--lr-decay`): each step's rates as a pure function of where the
 * step stands in the run, so every data-parallel replica computes the same rates from the same
 * position and a resumed run applies the rates the straight run applied.
 *
 * `linear`: with T planned steps and this step's index t (0-based: the steps done before it),
 *
 *   rate(t) = base * min(1, (T - t) / (T * (1 - start)))
 *
 * full rate for the first `start` of the run, then a straight line that would reach 0 at t = T,
 * the end of the run: the last step still moves the weights, by base / (T * (1 - start)).
 */
import type { GanSettings } from "@edgegan/shared/train-config";
import type * as tf from "@tensorflow/tfjs-core";

/** Where a step stands in its run. */
export interface StepPosition {
  /** The step's 0-based index: the steps the run has done before it (across resumes). */
  step: number;
  /** The steps the run plans in all (the schedule's end). */
  totalSteps: number;
}

/**
 * The factor on the base rates at `position` (1 without decay).
 * @throws Error for a position that is not a whole step inside a run of at least one step
 * @example
 * // 10 steps, decay from 60%: steps 0-6 at 1, then 0.75, 0.5, 0.25
 * learningRateFactor({ lrDecay: "linear", lrDecayStart: 0.6 }, { step: 8, totalSteps: 10 }); // 0.5
 */
export function learningRateFactor(
  schedule: Pick<GanSettings, "lrDecay" | "lrDecayStart">,
  { step, totalSteps }: StepPosition,
): number {
  if (schedule.lrDecay === "none") return 1;
  if (!(Number.isInteger(totalSteps) && totalSteps >= 1 && Number.isInteger(step) && step >= 0)) {
    throw new Error(
      `a step position needs whole numbers step >= 0 and totalSteps >= 1 (got step ${step} of ${totalSteps})`,
    );
  }
  const fall = totalSteps * (1 - schedule.lrDecayStart); // steps over which the rate falls to 0
  return Math.max(0, Math.min(1, (totalSteps - step) / fall));
}

/** The rates of G's and D's Adam at `position`: each network's base rate times the factor. */
export function scheduledRates(
  config: GanSettings,
  position: StepPosition | null,
): { g: number; d: number } {
  if (config.lrDecay !== "none" && position === null) {
    throw new Error(
      `--lr-decay ${config.lrDecay} needs each step's position in the run ({ step, totalSteps })`,
    );
  }
  const factor = position === null ? 1 : learningRateFactor(config, position);
  return { g: (config.gLr ?? config.lr) * factor, d: (config.dLr ?? config.lr) * factor };
}

/** TF.js's Adam reads its rate from this field at every update. */
interface AdamRate {
  learningRate: number;
}

/** Set an Adam optimiser's rate for its next update. */
export function setAdamRate(optimizer: tf.AdamOptimizer, rate: number): void {
  (optimizer as unknown as AdamRate).learningRate = rate;
}

/** An Adam optimiser's current rate. */
export function adamRate(optimizer: tf.AdamOptimizer): number {
  return (optimizer as unknown as AdamRate).learningRate;
}
