import { describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  COMMAND_FIELDS,
  DEFAULT_GAN_SETTINGS,
  DEFAULT_TRAIN_CONFIG,
  ganSettingsSchema,
  identityMismatches,
  parseGanSettings,
  recordedSettings,
  runSettingsSchema,
  trainCommandSchema,
  trainConfigSchema,
} from "./train-config.ts";

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

  it("declares each setting once, with its default and description, in one of three groups", () => {
    const groups = [ganSettingsSchema, runSettingsSchema, trainCommandSchema];
    const keys = groups.flatMap((g) => Object.keys(g.shape));
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.sort()).toEqual(Object.keys(trainConfigSchema.shape).sort());
    for (const [key, field] of Object.entries(
      trainConfigSchema.shape as Record<string, z.ZodType>,
    )) {
      expect(field.def.type, `${key} has a default`).toBe("default");
      expect((field.meta() as { description?: string }).description, key).toMatch(/\w/);
    }
    // the defaults objects are the schema's, not a copy beside it
    expect(DEFAULT_TRAIN_CONFIG).toEqual(trainConfigSchema.parse({}));
    expect(DEFAULT_TRAIN_CONFIG).toMatchObject(DEFAULT_GAN_SETTINGS);
    expect(DEFAULT_TRAIN_CONFIG).toMatchObject({
      lr: 2e-4,
      beta1: 0.5,
      batchSize: 64,
      generatorWidth: 128,
    });
    expect(parseGanSettings({ arch: "mlp" })).toEqual({ ...DEFAULT_GAN_SETTINGS, arch: "mlp" });
    expect(() => parseGanSettings({ generatorWidth: 63 })).toThrow(
      /generatorWidth: must be even .*\(got 63\)/,
    );
  });

  it("records the GAN's and the run's settings, under today's names, never the command's", () => {
    const config = {
      ...DEFAULT_TRAIN_CONFIG,
      config: "run.yaml",
      out: "x",
      resume: true,
      publish: true,
      publishDir: "models",
    };
    const recorded = recordedSettings(config);
    expect(Object.keys(recorded).sort()).toEqual(
      [...Object.keys(ganSettingsSchema.shape), ...Object.keys(runSettingsSchema.shape)].sort(),
    );
    expect(COMMAND_FIELDS).toEqual(["config", "preset", "out", "resume", "publish", "publishDir"]);
    // an earlier trainer's card: gWidth, and the command's fields
    const { generatorWidth: _, ...rest } = recordedSettings(DEFAULT_TRAIN_CONFIG);
    expect(recordedSettings({ ...rest, gWidth: 64, out: "run", preset: "full" })).toEqual({
      ...rest,
      generatorWidth: 64,
    });
  });

  it("reads an older checkpoint's gWidth as the generator's width", () => {
    const { generatorWidth: _, ...older } = { ...DEFAULT_TRAIN_CONFIG, gWidth: 64 };
    expect(identityMismatches(older, { ...DEFAULT_TRAIN_CONFIG, generatorWidth: 64 })).toEqual([]);
    expect(identityMismatches(older, DEFAULT_TRAIN_CONFIG)).toEqual([
      "generatorWidth: checkpoint has 64, this run has 128",
    ]);
  });

  it("lists identity mismatches but ignores epochs and reporting cadence", () => {
    const other = { ...DEFAULT_TRAIN_CONFIG, epochs: 99, metricsEvery: 1, lr: 1e-3 };
    expect(identityMismatches(DEFAULT_TRAIN_CONFIG, other)).toEqual([
      "lr: checkpoint has 0.0002, this run has 0.001",
    ]);
  });
});
