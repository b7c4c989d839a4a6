import { DEFAULT_TRAIN_CONFIG, QUICK_PRESET } from "@edgegan/shared/train-config";
import { describe, expect, it } from "vitest";
import { parseCliArgs } from "./cli-args.ts";

function errorsOf(argv: string[]): string[] {
  const parsed = parseCliArgs(argv);
  if (parsed.kind !== "error")
    throw new Error(`expected errors for ${argv.join(" ")}, got ${parsed.kind}`);
  return parsed.errors;
}

describe("parseCliArgs", () => {
  it("gives the DCGAN-practice defaults with no flags", () => {
    const parsed = parseCliArgs([]);
    expect(parsed).toEqual({ kind: "ok", options: DEFAULT_TRAIN_CONFIG });
    if (parsed.kind === "ok") {
      expect(parsed.options).toMatchObject({
        arch: "dcgan",
        lr: 2e-4,
        beta1: 0.5,
        batchSize: 64,
        dataset: "mnist",
      });
    }
  });

  it("applies the quick preset, and flags override it", () => {
    const quick = parseCliArgs(["--preset", "quick"]);
    expect(quick.kind === "ok" && quick.options.maxSteps).toBe(QUICK_PRESET.maxSteps);
    const overridden = parseCliArgs(["--preset", "quick", "--max-steps", "7", "--arch", "mlp"]);
    expect(
      overridden.kind === "ok" && [overridden.options.maxSteps, overridden.options.arch],
    ).toEqual([7, "mlp"]);
  });

  it("parses numbers in decimal and scientific notation and booleans", () => {
    const parsed = parseCliArgs([
      "--lr",
      "1e-3",
      "--beta1",
      "0.9",
      "--epochs",
      "3",
      "--resume",
      "--publish",
    ]);
    expect(parsed.kind === "ok" && parsed.options).toMatchObject({
      lr: 1e-3,
      beta1: 0.9,
      epochs: 3,
      resume: true,
      publish: true,
    });
  });

  it.each([
    [["--epochs", "abc"], /--epochs: "abc" is not a number/],
    [["--epochs", "0"], /--epochs: .*(>=|at least|too small).*\(got 0\)/i],
    [["--epochs", "1.5"], /--epochs: must be a whole number/],
    [["--batch-size", "0x40"], /--batch-size: "0x40" is not a number/],
    [["--batch-size", "1"], /--batch-size: .*>=2.*\(got 1\)/],
    [["--lr=-1"], /--lr: .*\(got -1\)/],
    [["--beta1", "1"], /--beta1: .*\(got 1\)/],
    [["--seed", "4294967296"], /--seed: .*\(got 4294967296\)/],
    [["--arch", "resnet"], /--arch: .*dcgan.*mlp.*\(got "resnet"\)/],
    [["--backend", "tpu"], /--backend: .*auto.*\(got "tpu"\)/],
    [["--preset", "fast"], /--preset: .*quick.*\(got "fast"\)/],
    [["--bogus"], /Unknown option '--bogus'/],
    [["--epochs"], /--epochs.*argument missing/],
  ])("rejects %j with a clear message", (argv, pattern) => {
    expect(errorsOf(argv).join("\n")).toMatch(pattern);
  });

  it("takes the lean-generator flags and explains a bad width", () => {
    const parsed = parseCliArgs([
      "--generator-width",
      "64",
      "--teacher",
      "apps/edge-api/models/mnist-full",
      "--distill-weight",
      "5",
      "--onnx-weights",
      "float16",
    ]);
    expect(parsed.kind === "ok" && parsed.options).toMatchObject({
      generatorWidth: 64,
      teacher: "apps/edge-api/models/mnist-full",
      distillWeight: 5,
      onnxWeights: "float16",
    });
    expect(errorsOf(["--generator-width", "63"])).toEqual([
      "--generator-width: must be even (the 14x14 map has half as many channels) (got 63)",
    ]);
    expect(errorsOf(["--arch", "mlp", "--generator-width", "64"])).toEqual([
      "--generator-width: sets the DCGAN generator's width; --arch mlp has none (got 64)",
    ]);
    expect(errorsOf(["--onnx-weights", "int4"])[0]).toMatch(/^--onnx-weights: .*float32.*float16/);
  });

  it("reports every bad flag at once", () => {
    expect(errorsOf(["--epochs", "0", "--lr", "5"])).toHaveLength(2);
  });
});

describe("fromInvocationDir", async () => {
  const { fromInvocationDir } = await import("./invocation-dir.ts");
  it("resolves relative paths against turbo's invocation folder, keeps absolute ones", () => {
    expect(fromInvocationDir("artifacts/run", { TURBO_INVOCATION_DIR: "/repo" })).toBe(
      "/repo/artifacts/run",
    );
    expect(fromInvocationDir("/data/x", { TURBO_INVOCATION_DIR: "/repo" })).toBe("/data/x");
    expect(fromInvocationDir("a", { INIT_CWD: "/home/me", TURBO_INVOCATION_DIR: "/repo" })).toBe(
      "/repo/a",
    );
    expect(fromInvocationDir("a", { INIT_CWD: "/home/me" })).toBe("/home/me/a");
    expect(fromInvocationDir("a", {})).toBe(`${process.cwd()}/a`);
  });
});
