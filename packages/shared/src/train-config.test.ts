import { describe, expect, it } from "vitest";
import { DEFAULT_TRAIN_CONFIG, identityMismatches, validateTrainConfig } from "./train-config.ts";

describe("train config", () => {
  it("accepts the defaults", () => {
    expect(validateTrainConfig({ ...DEFAULT_TRAIN_CONFIG })).toEqual({
      ok: true,
      config: DEFAULT_TRAIN_CONFIG,
    });
  });

  it("names the flag, the problem and the value received", () => {
    const result = validateTrainConfig({ ...DEFAULT_TRAIN_CONFIG, batchSize: 1, arch: "gpt" });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors.join("\n")).toMatch(/--batch-size: .*\(got 1\)/);
      expect(result.errors.join("\n")).toMatch(/--arch: .*"dcgan".*"mlp".*\(got "gpt"\)/);
    }
  });

  it("rejects unknown keys", () => {
    expect(validateTrainConfig({ ...DEFAULT_TRAIN_CONFIG, learningRate: 1 }).ok).toBe(false);
  });

  it("lists identity mismatches but ignores epochs and reporting cadence", () => {
    const other = { ...DEFAULT_TRAIN_CONFIG, epochs: 99, metricsEvery: 1, lr: 1e-3 };
    expect(identityMismatches(DEFAULT_TRAIN_CONFIG, other)).toEqual([
      "lr: checkpoint has 0.0002, this run has 0.001",
    ]);
  });
});
