/** The evaluation plan: class-major, balanced, seeded, each image regenerable from (label, seed). */
import { describe, expect, it } from "vitest";
import { equalCounts, planEvaluation, planPerClass } from "./eval-plan.ts";

describe("planEvaluation", () => {
  it("plans perClass images of each class, class-major, with distinct reproducible seeds", () => {
    const plan = planEvaluation(3, 9);
    expect(plan.map((p) => p.label)).toEqual([
      0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6, 7, 7, 7, 8, 8, 8, 9, 9, 9,
    ]);
    expect(plan.map((p) => p.index)).toEqual(plan.map((_, i) => i));
    expect(new Set(plan.map((p) => p.seed)).size).toBe(30);
    expect(planEvaluation(3, 9)).toEqual(plan);
    expect(planEvaluation(3, 10)[0]?.seed).not.toBe(plan[0]?.seed);
  });

  it("plans only the first classCount classes of a model trained on fewer than 10", () => {
    const plan = planEvaluation(2, 9, 3);
    expect(plan.map((p) => p.label)).toEqual([0, 0, 1, 1, 2, 2]);
    expect(() => planEvaluation(2, 9, 11)).toThrow(/class count must be an integer in 1..10/);
  });

  it("refuses bad counts and seeds", () => {
    expect(() => planEvaluation(0)).toThrow(/positive integer/);
    expect(() => planPerClass([1, 2], 0)).toThrow(/10 non-negative integers/);
    expect(() => planPerClass(new Array(10).fill(0), 0)).toThrow(/not all zero/);
    expect(() => planEvaluation(1, -1)).toThrow(/seed/);
  });
});

describe("equalCounts", () => {
  it("splits as equally as possible, extra to the first classes", () => {
    expect(equalCounts(10000)).toEqual(new Array(10).fill(1000));
    expect(equalCounts(12)).toEqual([2, 2, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(() => equalCounts(0)).toThrow(/positive integer/);
  });
});
