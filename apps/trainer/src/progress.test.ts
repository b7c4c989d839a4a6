import { describe, expect, it } from "vitest";
import { formatDuration, ProgressReporter } from "./progress.ts";

describe("progress", () => {
  it("formats durations", () => {
    expect(formatDuration(5)).toBe("5s");
    expect(formatDuration(245)).toBe("4m05s");
    expect(formatDuration(3720)).toBe("1h02m");
    expect(formatDuration(Number.NaN)).toBe("?");
  });

  it("shows step, epoch, rate, ETA and losses", () => {
    const reporter = new ProgressReporter(0);
    const line = reporter.format({
      step: 10,
      totalSteps: 40,
      epoch: 0,
      epochs: 2,
      dLoss: 1.23456,
      gLoss: 0.5,
    });
    expect(line).toMatch(
      /^\[#{6}-{18}\] step 10\/40 epoch 1\/2 [\d.]+ steps\/s ETA \S+ D 1\.2346 G 0\.5000$/,
    );
  });

  it("uses the time left under --max-minutes when it comes sooner", () => {
    const reporter = new ProgressReporter(0);
    const line = reporter.format({
      step: 0,
      totalSteps: 1e6,
      epoch: 0,
      epochs: 9,
      dLoss: 1,
      gLoss: 1,
      secondsLeft: 125,
    });
    expect(line).toContain("ETA 2m05s");
  });
});
