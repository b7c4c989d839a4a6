/** Label accuracy, per-class accuracy, coverage and the confusion matrix on hand-made readings. */
import { describe, expect, it } from "vitest";
import { labelMetrics } from "./label-metrics.ts";

const classes = Array.from({ length: 10 }, (_, i) => i);

describe("labelMetrics", () => {
  it("is perfect for exact readings of all classes: accuracy 1, coverage 1", () => {
    const m = labelMetrics(classes, classes);
    expect(m.labelAccuracy).toBe(1);
    expect(m.coverage).toBeCloseTo(1, 12);
    expect(m.labelAccuracyPerClass).toEqual(new Array(10).fill(1));
  });

  it("gives coverage 0 when everything is read as one class", () => {
    const m = labelMetrics(classes, new Array(10).fill(3));
    expect(m.coverage).toBe(0);
    expect(m.labelAccuracy).toBeCloseTo(0.1, 12);
    expect(m.labelAccuracyPerClass[3]).toBe(1);
    expect(m.labelAccuracyPerClass[4]).toBe(0);
    expect(m.confusion[5]?.[3]).toBe(1);
  });

  it("gives coverage log(2)/log(10) for two equally read classes", () => {
    const m = labelMetrics(
      classes,
      classes.map((c) => c % 2),
    );
    expect(m.coverage).toBeCloseTo(Math.log(2) / Math.log(10), 12);
    expect(m.predictedShare.slice(0, 3)).toEqual([0.5, 0.5, 0]);
  });

  it("judges coverage over the classes asked for (a 3-class model read evenly: 1)", () => {
    const asked = [0, 1, 2, 0, 1, 2];
    expect(labelMetrics(asked, asked).coverage).toBeCloseTo(1, 12);
    expect(labelMetrics(asked, [0, 0, 0, 1, 1, 1]).coverage).toBeCloseTo(
      Math.log(2) / Math.log(3),
      12,
    );
    expect(labelMetrics([4, 4], [4, 4]).coverage).toBe(1);
  });

  it("marks classes never asked as null and refuses bad input", () => {
    expect(labelMetrics([1, 1], [1, 2]).labelAccuracyPerClass[0]).toBeNull();
    expect(() => labelMetrics([1], [1, 2])).toThrow(/equal, non-zero/);
    expect(() => labelMetrics([10], [1])).toThrow(/integers in 0..9/);
  });
});
