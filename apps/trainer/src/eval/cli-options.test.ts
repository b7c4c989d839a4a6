/** Flags of `npm run eval` and `npm run synth`: defaults from their schemas, refusals. */
import { describe, expect, it } from "vitest";
import { EDGE_MODEL_DIR } from "../commands/edge-models.ts";
import {
  EVAL_USAGE,
  parseEvalArgs,
  parseSynthArgs,
  SYNTH_USAGE,
  synthCounts,
} from "./cli-options.ts";

describe("parseEvalArgs", () => {
  it("defaults to the shipped model, 1000 per class, 2000 searched for near-copies, seed 0, wasm, writing", () => {
    expect(parseEvalArgs([])).toEqual({
      kind: "ok",
      options: {
        model: [EDGE_MODEL_DIR],
        dataset: null,
        perClass: 1000,
        memorisationSamples: 2000,
        seed: 0,
        backend: "wasm",
        noWrite: false,
      },
    });
    const parsed = parseEvalArgs([
      "--per-class",
      "20",
      "--dataset",
      "fashion-mnist",
      "--no-write",
      "--seed",
      "5",
      "--memorisation-samples",
      "0",
    ]);
    const two = parseEvalArgs(["--model", "/models/a", "--model", "/models/b"]);
    expect(two.kind === "ok" && two.options.model).toEqual(["/models/a", "/models/b"]);
    expect(parsed.kind === "ok" && parsed.options).toMatchObject({
      perClass: 20,
      dataset: "fashion-mnist",
      noWrite: true,
      seed: 5,
      memorisationSamples: 0,
    });
  });

  it("refuses bad values and unknown flags with a message saying what is accepted", () => {
    const bad = parseEvalArgs(["--per-class", "0", "--backend", "gpu", "--seed=4294967296"]);
    expect(bad.kind).toBe("error");
    const errors = bad.kind === "error" ? bad.errors.join("\n") : "";
    expect(errors).toMatch(/--per-class: must be an integer in 1\.\.100000 \(got 0\)/);
    expect(errors).toMatch(
      /--backend: .*"auto"\|"tensorflow"\|"webgpu"\|"wasm"\|"cpu" \(got "gpu"\)/,
    );
    expect(errors).toMatch(/--seed: must be an integer in 0..4294967295 \(got 4294967296\)/);
    expect(parseEvalArgs(["--bogus"]).kind).toBe("error");
    expect(parseEvalArgs(["--help"]).kind).toBe("help");
  });
});

describe("parseSynthArgs", () => {
  it("splits --count equally, or takes --per-class", () => {
    const a = parseSynthArgs(["--count", "25", "--out", "x"]);
    expect(a.kind === "ok" && a.options).toEqual({
      count: 25,
      out: "x",
      perClass: null,
      model: EDGE_MODEL_DIR,
      seed: 0,
    });
    expect(a.kind === "ok" && synthCounts(a.options)).toEqual([3, 3, 3, 3, 3, 2, 2, 2, 2, 2]);
    const b = parseSynthArgs(["--per-class", "0,0,5,0,0,0,0,0,5,0", "--out", "x"]);
    expect(b.kind === "ok" && synthCounts(b.options)).toEqual([0, 0, 5, 0, 0, 0, 0, 0, 5, 0]);
  });

  it("requires --count (or --per-class) and --out, and a --per-class that sums to --count", () => {
    const missing = parseSynthArgs([]);
    expect(missing.kind === "error" && missing.errors).toEqual([
      "--out: is required",
      "--count: is required (or --per-class)",
    ]);
    const sum = parseSynthArgs([
      "--count",
      "3",
      "--per-class",
      "1,1,0,0,0,0,0,0,0,0",
      "--out",
      "d",
    ]);
    expect(sum.kind === "error" && sum.errors[0]).toMatch(/sums to 2, but --count is 3/);
    expect(parseSynthArgs(["--per-class", "1,2", "--out", "d"]).kind).toBe("error");
  });
});

describe("eval and synth help", () => {
  it("shows each default from its schema, a machine path in words", () => {
    expect(EVAL_USAGE).toMatch(/--per-class N\s+samples per class \(default 1000\)/);
    expect(EVAL_USAGE).toMatch(/--memorisation-samples N\s+.*\(default 2000\)/);
    expect(EVAL_USAGE).toMatch(/--backend .*\(default wasm\)/);
    expect(SYNTH_USAGE).toMatch(/--model DIR\s+model folder \(default the shipped model\)/);
    expect(SYNTH_USAGE).toMatch(/--seed S\s+seed of the latent vectors \(default 0\)/);
    expect(`${EVAL_USAGE}${SYNTH_USAGE}`).not.toMatch(/\(default \//);
  });
});
