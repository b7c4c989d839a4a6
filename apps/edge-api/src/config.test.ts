/** readConfig: defaults, parsing, and refusals that name the variable. */
import { describe, expect, it } from "vitest";
import { DEFAULT_MAX_COUNT, MAX_COUNT_CEILING, readConfig } from "./config.ts";

describe("readConfig", () => {
  it("uses defaults when vars are absent", () => {
    expect(readConfig({})).toEqual({
      maxCount: DEFAULT_MAX_COUNT,
      corsOrigins: "*",
      apiKey: undefined,
      localTimings: false,
    });
  });

  it("reports per-phase timings only with LOCAL_TIMINGS=true, and refuses other spellings", () => {
    expect(readConfig({ LOCAL_TIMINGS: "true" }).localTimings).toBe(true);
    expect(readConfig({ LOCAL_TIMINGS: "false" }).localTimings).toBe(false);
    expect(() => readConfig({ LOCAL_TIMINGS: "yes" })).toThrow(
      'LOCAL_TIMINGS is "yes"; accepted: "true", "false" or unset',
    );
  });

  it("reads MAX_COUNT, a CORS origin list and the API key", () => {
    const config = readConfig({
      MAX_COUNT: "32",
      CORS_ORIGINS: "https://a.example, https://b.example",
      API_KEY: "k",
    });
    expect(config).toEqual({
      maxCount: 32,
      corsOrigins: ["https://a.example", "https://b.example"],
      apiKey: "k",
      localTimings: false,
    });
  });

  it("treats an empty API_KEY as no key and a list containing * as *", () => {
    expect(readConfig({ API_KEY: "", CORS_ORIGINS: "https://a.example,*" })).toMatchObject({
      apiKey: undefined,
      corsOrigins: "*",
    });
  });

  it.each(["0", "-1", "1.5", "abc", String(MAX_COUNT_CEILING + 1)])(
    "rejects MAX_COUNT=%s naming the variable and the range",
    (value) => {
      expect(() => readConfig({ MAX_COUNT: value })).toThrow(
        new RegExp(
          `MAX_COUNT is "${value.replace(".", "\\.")}"; accepted: an integer from 1 to ${MAX_COUNT_CEILING}`,
        ),
      );
    },
  );
});
