import { describe, expect, it } from "vitest";
import {
  MAX_SCALED_TILES,
  parseModelQuery,
  parseSampleQuery,
  SAMPLE_PARAMETERS,
  SAMPLE_QUERY_ERROR_CODES,
  type SampleQuery,
} from "./sample-query.ts";

const MAX = 64;
const parse = (query: string, maxCount = MAX) =>
  parseSampleQuery(new URLSearchParams(query), { maxCount });

describe("parseSampleQuery: accepted", () => {
  /** What an empty query means. */
  const DEFAULTS: SampleQuery = {
    count: 16,
    label: null,
    labels: null,
    text: null,
    style: "shared",
    seed: null,
    format: "json",
    model: null,
    version: null,
    scale: 1,
    resample: "nearest",
    invert: false,
    fg: null,
    bg: null,
    columns: null,
    padding: 2,
  };
  const cases: Array<[string, SampleQuery]> = [
    ["", DEFAULTS],
    ["count=1", { ...DEFAULTS, count: 1 }],
    ["count=64", { ...DEFAULTS, count: 64 }],
    ["label=0", { ...DEFAULTS, label: 0 }],
    ["label=9&count=3", { ...DEFAULTS, count: 3, label: 9 }],
    ["seed=0", { ...DEFAULTS, seed: 0 }],
    ["seed=4294967295", { ...DEFAULTS, seed: 4294967295 }],
    ["format=png", { ...DEFAULTS, format: "png" }],
    ["format=json&seed=42&label=7&count=4", { ...DEFAULTS, count: 4, label: 7, seed: 42 }],
    [
      "model=fashion-mnist&version=fashion-mnist-dcgan-2026-11-30-1a2b3c4d&seed=1",
      {
        ...DEFAULTS,
        seed: 1,
        model: "fashion-mnist",
        version: "fashion-mnist-dcgan-2026-11-30-1a2b3c4d",
      },
    ],
    [
      "count=64&scale=8&invert=true&columns=16&padding=0",
      { ...DEFAULTS, count: 64, scale: 8, invert: true, columns: 16, padding: 0 },
    ],
    ["labels=2,0,2,6", { ...DEFAULTS, count: 4, labels: [2, 0, 2, 6] }],
    ["labels=7&style=each", { ...DEFAULTS, count: 1, labels: [7], style: "each" }],
    ["text=2026", { ...DEFAULTS, count: 4, labels: [2, 0, 2, 6], text: "2026" }],
    ["format=svg&count=16", { ...DEFAULTS, format: "svg" }],
    [
      "count=16&scale=16&resample=bicubic",
      { ...DEFAULTS, count: 16, scale: 16, resample: "bicubic" },
    ],
    ["fg=FF6600&bg=transparent", { ...DEFAULTS, fg: "ff6600", bg: "transparent" }],
    ["bg=0A0B0C&invert=true", { ...DEFAULTS, bg: "0a0b0c", invert: true }],
  ];
  it.each(cases)("%j", (query, value) => {
    expect(parse(query)).toEqual({ ok: true, value });
  });

  it("defaults count to maxCount when maxCount is below 16", () => {
    expect(parse("", 4)).toEqual({ ok: true, value: { ...DEFAULTS, count: 4 } });
  });
});

describe("parseSampleQuery: rejected", () => {
  // [query, code, substrings the message must contain]
  const cases: Array<[string, string, string[]]> = [
    ["count=0", "invalid_count", ["count", '"0"', "1 to 64"]],
    ["model=MNIST", "invalid_model", ['"MNIST"', "GET /models"]],
    ["scale=0", "invalid_scale", ["scale", "1 to 16", '"0"']],
    ["scale=17", "invalid_scale", ['"17"', "default 1"]],
    ["resample=lanczos", "invalid_resample", ['"nearest" or "bilinear" or "bicubic"', '"lanczos"']],
    ["fg=%23ff6600", "invalid_fg", ['"#ff6600"', "six hex digits"]],
    ["fg=fff", "invalid_fg", ['"fff"']],
    ["bg=none", "invalid_bg", ['"transparent"', 'got "none"']],
    ["labels=", "invalid_labels", ['got ""', '"2,0,2,6"']],
    ["labels=1,,2", "invalid_labels", ['"1,,2"']],
    ["labels=10", "invalid_labels", ["from 0 to 9"]],
    ["labels=1%202", "invalid_labels", ['"1 2"']],
    ["labels=2,0&count=2", "conflicting_parameters", ["leave out count", 'count="2"']],
    ["labels=2,0&label=2&count=1", "conflicting_parameters", ["leave out count and label"]],
    ["text=12a", "invalid_text", ['"12a"', "digits"]],
    ["text=12&labels=1,2", "conflicting_parameters", ["labels gives", "leave out text"]],
    ["style=each", "conflicting_parameters", ["style applies to a sequence"]],
    ["labels=1&style=same", "invalid_style", ['"shared" or "each"']],
    ["format=gif", "invalid_format", ['"svg"']],
    ["invert=1", "invalid_invert", ['"true"', '"false"', 'got "1"']],
    ["invert=True", "invalid_invert", ['"True"']],
    ["columns=0", "invalid_columns", ["1 to 64", "omitted for the default"]],
    ["columns=65", "invalid_columns", ['"65"']],
    ["padding=17", "invalid_padding", ["0 to 16", "default 2"]],
    ["padding=-1", "invalid_padding", ['"-1"']],
    ["model=-mnist", "invalid_model", ['"-mnist"']],
    ["model=", "invalid_model", ['""']],
    ["version=a/b", "invalid_version", ['"a/b"', "GET /models"]],
    ["count=-3", "invalid_count", ["count", '"-3"', "1 to 64"]],
    ["count=1.5", "invalid_count", ['"1.5"', "decimal digits"]],
    ["count=1.0", "invalid_count", ['"1.0"']],
    ["count=65", "invalid_count", ['"65"', "1 to 64"]],
    ["count=abc", "invalid_count", ['"abc"']],
    ["count=", "invalid_count", ['got ""']],
    ["count=1e3", "invalid_count", ['"1e3"']],
    ["count=0x10", "invalid_count", ['"0x10"']],
    ["count=%205", "invalid_count", ['" 5"']],
    ["count=5%20", "invalid_count", ['"5 "']],
    ["count=%2B5", "invalid_count", ['"+5"']],
    ["count=05", "invalid_count", ['"05"']],
    ["count=99999999999999999999", "invalid_count", ['"99999999999999999999"']],
    ["label=10", "invalid_label", ["label", '"10"', "0 to 9", "omitted"]],
    ["label=-1", "invalid_label", ['"-1"']],
    ["label=NaN", "invalid_label", ['"NaN"']],
    ["label=", "invalid_label", ['got ""']],
    ["label=3.0", "invalid_label", ['"3.0"']],
    ["seed=-0", "invalid_seed", ["seed", '"-0"', "0 to 4294967295"]],
    ["seed=-1", "invalid_seed", ['"-1"']],
    ["seed=4294967296", "invalid_seed", ['"4294967296"', "unsigned 32-bit"]],
    ["seed=12345678901", "invalid_seed", ['"12345678901"']],
    ["seed=abc", "invalid_seed", ['"abc"']],
    ["seed=", "invalid_seed", ['got ""']],
    ["format=gif", "invalid_format", ["format", '"gif"', '"json"', '"png"']],
    ["format=PNG", "invalid_format", ['"PNG"']],
    ["format=", "invalid_format", ['got ""']],
    ["count=4&count=4", "repeated_parameter", ['"count"', "2 times", '("4", "4")']],
    ["seed=1&label=2&seed=3&seed=4", "repeated_parameter", ['"seed"', "3 times", '"1", "3", "4"']],
    ["format=1&format=2&format=3&format=4", "repeated_parameter", ['4 times ("1", "2", "3", ...)']],
    [
      "cuont=4",
      "unknown_parameter",
      ['"cuont"', "count, label, labels, text, style, seed, format"],
    ],
    ["Count=4", "unknown_parameter", ['"Count"']],
    ["count=4&utm_source=x", "unknown_parameter", ['"utm_source"']],
  ];
  it.each(cases)("%j -> %s", (query, code, parts) => {
    const result = parse(query);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe(code);
    for (const part of parts) expect(result.error.message).toContain(part);
  });

  it("reports the first failure in a fixed order: unknown, repeated, count, label, seed, format", () => {
    const code = (q: string) => {
      const r = parse(q);
      return r.ok ? "ok" : r.error.code;
    };
    expect(code("format=gif&seed=x&label=x&count=x&count=1&zzz=1")).toBe("unknown_parameter");
    expect(code("format=gif&seed=x&label=x&count=x&count=1")).toBe("repeated_parameter");
    expect(code("format=gif&seed=x&label=x&count=x")).toBe("invalid_count");
    expect(code("format=gif&seed=x&label=x")).toBe("invalid_label");
    expect(code("format=gif&seed=x")).toBe("invalid_seed");
    expect(code("format=gif")).toBe("invalid_format");
  });

  it("handles 100 KB values quickly and never echoes them whole", () => {
    const long = "9".repeat(100_000);
    const start = performance.now();
    for (const name of ["count", "label", "seed", "format"]) {
      const params = new URLSearchParams();
      params.set(name, long);
      const result = parseSampleQuery(params, { maxCount: MAX });
      expect(result.ok).toBe(false);
      if (result.ok) continue;
      expect(result.error.message.length).toBeLessThan(300);
      expect(result.error.message).toContain("(100000 characters)");
    }
    const unknown = new URLSearchParams();
    unknown.set("x".repeat(100_000), "1");
    const r = parseSampleQuery(unknown, { maxCount: MAX });
    expect(!r.ok && r.error.message.length < 300).toBe(true);
    expect(performance.now() - start).toBeLessThan(100);
  });

  it.each([0, -1, 1.5, Number.NaN])("throws on a bad maxCount option (%s)", (maxCount) => {
    expect(() => parseSampleQuery(new URLSearchParams(), { maxCount })).toThrow(RangeError);
  });
});

describe("parseModelQuery", () => {
  it("takes model and version, spelled as for /sample, and refuses anything else", () => {
    expect(parseModelQuery(new URLSearchParams("model=fashion-mnist"))).toEqual({
      ok: true,
      value: { model: "fashion-mnist", version: null },
    });
    expect(parseModelQuery(new URLSearchParams(""))).toEqual({
      ok: true,
      value: { model: null, version: null },
    });
    const unknown = parseModelQuery(new URLSearchParams("count=4"));
    expect(!unknown.ok && unknown.error.message).toMatch(
      /unknown query parameter "count"; accepted parameters: model, version/,
    );
    const bad = parseModelQuery(new URLSearchParams("model=Fashion"));
    expect(!bad.ok && bad.error.code).toBe("invalid_model");
  });
});

describe("parseSampleQuery: the per-request budget", () => {
  it("refuses a sequence longer than maxCount, naming the limit", () => {
    const long = parse(`labels=${Array(65).fill(1).join(",")}`);
    expect(!long.ok && long.error).toEqual({
      code: "invalid_labels",
      message: expect.stringContaining("1 to 64 classes") as string,
    });
    expect(!long.ok && long.error.message).toContain("got 65 classes");
    const text = parse("text=12345", 4);
    expect(!text.ok && text.error.code).toBe("invalid_text");
    expect(parse("text=1234", 4).ok).toBe(true);
  });

  it("counts a sequence's images in the budget: 16 at scale 16, not 17", () => {
    expect(parse(`text=${"1".repeat(16)}&scale=16`).ok).toBe(true);
    const over = parse(`text=${"1".repeat(17)}&scale=16`);
    expect(!over.ok && over.error.code).toBe("request_too_large");
  });

  it("accepts count * scale^2 up to MAX_SCALED_TILES and refuses more, naming the budget", () => {
    expect(parse("count=64&scale=8", 256).ok).toBe(true);
    expect(parse("count=256&scale=4", 256).ok).toBe(true);
    const over = parse("count=65&scale=8", 256);
    expect(over.ok).toBe(false);
    if (!over.ok) {
      expect(over.error.code).toBe("request_too_large");
      expect(over.error.message).toContain(
        `65 * 8^2 = 4160 exceeds the per-request budget of ${MAX_SCALED_TILES}`,
      );
    }
  });
});

describe("SAMPLE_QUERY_ERROR_CODES", () => {
  it("lists every code the parser answers, and nothing it never answers", () => {
    const refusals = [
      "cuont=4",
      "count=1&count=2",
      "labels=1,2&count=2",
      `count=${MAX}&scale=16`,
      ...SAMPLE_PARAMETERS.map((p) => `${p.name}=%25bad`),
    ];
    const codes = new Set(
      refusals.map((query) => {
        const result = parse(query);
        return result.ok ? "accepted" : result.error.code;
      }),
    );
    expect([...codes].sort()).toEqual([...SAMPLE_QUERY_ERROR_CODES].sort());
  });
});
