/**
 * Where each iteration of the training loop spends its time, part by part: the step itself and
 * the trainer's own work around it (drawing the batch, the EMA, logging, progress, the checkpoint
 * checks). Opt-in: the loop bench passes one to `train()`; a normal run passes none and the loop
 * pays one optional call per part.
 *
 * The loop calls `lap(part)` at the end of each part: the time since the previous lap goes to that
 * part, so the parts of an iteration add up to its wall time. The data-parallel stepper's own
 * counters (each replica's averaging, barrier waits and idle time) are read around each step.
 */
import type { AveragingTimings } from "@edgegan/model/data-parallel/data-parallel";

/** The loop's parts, in the order an iteration runs them. */
export const LOOP_PARTS = [
  "step",
  "ema",
  "metrics",
  "progress",
  "yield",
  "checkpoint check",
  "batch",
] as const;
export type LoopPart = (typeof LOOP_PARTS)[number];

/** Timed inside another part (and taken out of it). */
export const NESTED_PARTS = ["next batch (drawn inside the step)"] as const;
export type NestedPart = (typeof NESTED_PARTS)[number];

/** The stepper's counters, per step (differences of its running totals). */
export const REPLICA_PARTS = [
  "trainer: averaging",
  "trainer: waiting (barriers, worker's end)",
  "worker: averaging",
  "worker: waiting at barriers",
  "worker: idle between steps",
] as const;
export type ReplicaPart = (typeof REPLICA_PARTS)[number];

const median = (values: number[]): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

export class LoopProfile {
  private last = performance.now();
  private readonly laps = new Map<LoopPart | NestedPart | ReplicaPart | "iteration", number[]>();
  private iterationStart = Number.NaN;
  private before: AveragingTimings[] = [];

  /** Count from now (the loop calls it before its first batch). */
  start(): void {
    this.last = performance.now();
    this.iterationStart = this.last;
  }

  /** The time since the last lap goes to `part`. */
  lap(part: LoopPart): void {
    const now = performance.now();
    this.push(part, now - this.last);
    this.last = now;
  }

  /**
   * `ms` spent inside the part now running went to `part` (drawing the next batch inside the
   * step): recorded apart and taken out of the running part's lap.
   */
  nested(part: NestedPart, ms: number): void {
    this.push(part, ms);
    this.last += ms;
  }

  /** An iteration ends here (its wall time is recorded; the next begins). */
  endIteration(): void {
    const now = performance.now();
    this.push("iteration", now - this.iterationStart);
    this.iterationStart = now;
  }

  /** The stepper's running totals before a step. */
  stepperBefore(timings: AveragingTimings[]): void {
    this.before = timings;
  }

  /** The stepper's running totals after the step: the differences go to the replica parts. */
  stepperAfter(timings: AveragingTimings[]): void {
    const [trainer, worker] = timings;
    const [trainer0, worker0] = this.before;
    if (!trainer || !trainer0) return;
    this.push("trainer: averaging", trainer.averageMs - trainer0.averageMs);
    this.push("trainer: waiting (barriers, worker's end)", trainer.waitMs - trainer0.waitMs);
    if (!worker || !worker0) return;
    this.push("worker: averaging", worker.averageMs - worker0.averageMs);
    this.push("worker: waiting at barriers", worker.waitMs - worker0.waitMs);
    this.push("worker: idle between steps", worker.idleMs - worker0.idleMs);
  }

  /** Median milliseconds per iteration of each part, skipping the first `skip` iterations. */
  medians(skip = 0): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [part, values] of this.laps) out[part] = median(values.slice(skip));
    return out;
  }

  /** Every recorded value of a part (ms per iteration). */
  values(part: LoopPart | NestedPart | ReplicaPart | "iteration"): number[] {
    return this.laps.get(part) ?? [];
  }

  private push(part: LoopPart | NestedPart | ReplicaPart | "iteration", ms: number): void {
    let list = this.laps.get(part);
    if (!list) {
      list = [];
      this.laps.set(part, list);
    }
    list.push(ms);
  }
}
