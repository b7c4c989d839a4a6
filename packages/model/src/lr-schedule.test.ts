import { parseGanSettings } from "@edgegan/shared/train-config";
import { describe, expect, it } from "vitest";
import { learningRateFactor, scheduledRates } from "./lr-schedule.ts";

describe("learning-rate schedule (--lr-decay)", () => {
  it("linear: full rate for the first --lr-decay-start of the run, then a straight fall to 0 at its end (worked example)", () => {
    // 10 planned steps, decay from 60%: steps 0-6 at the full rate, then 3/4, 2/4, 1/4 (step 9,
    // the last, still moves the weights; the line reaches 0 at step 10, the end of the run)
    const schedule = { lrDecay: "linear", lrDecayStart: 0.6 } as const;
    const factors = Array.from({ length: 10 }, (_, step) =>
      learningRateFactor(schedule, { step, totalSteps: 10 }),
    );
    expect(factors).toEqual([1, 1, 1, 1, 1, 1, 1, 0.75, 0.5, 0.25]);
    // past the planned end (a run resumed with a smaller --max-steps): no negative rate
    expect(learningRateFactor(schedule, { step: 12, totalSteps: 10 })).toBe(0);
    // from the first step: 1 - t / T
    const fromStart = { lrDecay: "linear", lrDecayStart: 0 } as const;
    expect(learningRateFactor(fromStart, { step: 0, totalSteps: 4 })).toBe(1);
    expect(learningRateFactor(fromStart, { step: 3, totalSteps: 4 })).toBe(0.25);
  });

  it("none: the factor is 1 wherever the step stands", () => {
    const schedule = { lrDecay: "none", lrDecayStart: 0.5 } as const;
    expect(learningRateFactor(schedule, { step: 999, totalSteps: 1000 })).toBe(1);
  });

  it("scales each network's own rate (--d-lr, --g-lr, else --lr)", () => {
    const config = parseGanSettings({ lr: 1e-3, dLr: 4e-4, lrDecay: "linear", lrDecayStart: 0.5 });
    expect(scheduledRates(config, { step: 0, totalSteps: 8 })).toEqual({ g: 1e-3, d: 4e-4 });
    // step 6 of 8: (8 - 6) / (8 * 0.5) = 0.5
    expect(scheduledRates(config, { step: 6, totalSteps: 8 })).toEqual({ g: 5e-4, d: 2e-4 });
    // without decay a step needs no position
    expect(scheduledRates(parseGanSettings({ lr: 3e-4 }), null)).toEqual({ g: 3e-4, d: 3e-4 });
  });

  it("refuses a decaying rate without a position, and a position that is not a step of a run", () => {
    const config = parseGanSettings({ lrDecay: "linear" });
    expect(() => scheduledRates(config, null)).toThrow(
      /--lr-decay linear needs each step's position in the run/,
    );
    expect(() => learningRateFactor(config, { step: 1.5, totalSteps: 10 })).toThrow(
      /whole numbers step >= 0 and totalSteps >= 1 \(got step 1.5 of 10\)/,
    );
    expect(() => learningRateFactor(config, { step: 0, totalSteps: 0 })).toThrow(/got step 0 of 0/);
  });

  it("the schema bounds the start to [0, 1) and old configs without the fields parse as no decay", () => {
    expect(parseGanSettings({})).toMatchObject({ lrDecay: "none", lrDecayStart: 0.5 });
    expect(() => parseGanSettings({ lrDecayStart: 1 })).toThrow(/lrDecayStart: .*<1 \(got 1\)/);
    expect(() => parseGanSettings({ lrDecay: "cosine" as never })).toThrow(
      /lrDecay: .*"none"\|"linear"/,
    );
  });
});
