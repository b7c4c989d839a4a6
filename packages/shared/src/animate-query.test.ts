import { describe, expect, it } from "vitest";
import { type AnimateQuery, parseAnimateQuery } from "./animate-query.ts";

const parse = (query: string) => parseAnimateQuery(new URLSearchParams(query));

describe("parseAnimateQuery", () => {
  const DEFAULTS: AnimateQuery = {
    seed: null,
    to: null,
    label: null,
    toLabel: null,
    frames: 16,
    fps: 12,
    loop: false,
    model: null,
    version: null,
    scale: 1,
    resample: "nearest",
    invert: false,
    fg: null,
    bg: null,
  };

  it("fills defaults and reads every parameter", () => {
    expect(parse("")).toEqual({ ok: true, value: DEFAULTS });
    expect(
      parse(
        "seed=1&to=2&label=3&to_label=8&frames=64&fps=30&loop=true&scale=8&resample=bicubic&fg=FF6600&bg=transparent",
      ),
    ).toEqual({
      ok: true,
      value: {
        ...DEFAULTS,
        seed: 1,
        to: 2,
        label: 3,
        toLabel: 8,
        frames: 64,
        fps: 30,
        loop: true,
        scale: 8,
        resample: "bicubic",
        fg: "ff6600",
        bg: "transparent",
      },
    });
  });

  it.each([
    ["frames=1", "invalid_frames"],
    ["fps=31", "invalid_fps"],
    ["loop=1", "invalid_loop"],
    ["seed=3&to=3&loop=true", "conflicting_parameters"],
    ["frames=17&scale=16", "request_too_large"],
    ["labels=1,2", "unknown_parameter"],
  ])("refuses %s (%s)", (query, code) => {
    const result = parse(query);
    expect(!result.ok && result.error.code).toBe(code);
  });

  it("accepts a walk from a seed to itself (a still animation), not a loop", () => {
    expect(parse("seed=3&to=3").ok).toBe(true);
  });
});
