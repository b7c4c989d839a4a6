import { describe, expect, it } from "vitest";
import { DEFAULT_TRAIN_CONFIG, identityMismatches, trainConfigSchema } from "./train-config.ts";

describe("train config", () => {
  // the flags' messages ("--batch-size: ... (got 1)") are the trainer's: apps/trainer/src/cli-args.test.ts
  it("accepts the defaults", () => {
    expect(trainConfigSchema.parse({ ...DEFAULT_TRAIN_CONFIG })).toEqual(DEFAULT_TRAIN_CONFIG);
  });

  it("refuses out-of-range and unknown values, naming each field", () => {
    const result = trainConfigSchema.safeParse({
      ...DEFAULT_TRAIN_CONFIG,
      batchSize: 1,
      arch: "gpt",
    });
    expect(result.success).toBe(false);
    const issues = result.error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`) ?? [];
    expect(issues.join("\n")).toMatch(/batchSize: .*>=2/);
    expect(issues.join("\n")).toMatch(/arch: .*"dcgan".*"mlp"/);
  });

  it("rejects unknown keys", () => {
    expect(trainConfigSchema.safeParse({ ...DEFAULT_TRAIN_CONFIG, learningRate: 1 }).success).toBe(
      false,
    );
  });

  it("lists identity mismatches but ignores epochs and reporting cadence", () => {
    const other = { ...DEFAULT_TRAIN_CONFIG, epochs: 99, metricsEvery: 1, lr: 1e-3 };
    expect(identityMismatches(DEFAULT_TRAIN_CONFIG, other)).toEqual([
      "lr: checkpoint has 0.0002, this run has 0.001",
    ]);
  });
});
