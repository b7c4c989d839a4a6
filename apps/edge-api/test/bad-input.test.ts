/**
 * Client mistakes: every bad /sample query is a 400 JSON error naming the parameter and what is
 * accepted; unknown paths 404, wrong methods 405; nothing a client sends gives a 500.
 */
import { describe, expect, it } from "vitest";
import type { ErrorBody } from "../src/errors.ts";
import { call, fixtureApp } from "./helpers.ts";

const app = fixtureApp();

async function expectError(res: Response, status: number, code: string, pattern: RegExp) {
  expect(res.status).toBe(status);
  expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
  const body = (await res.json()) as ErrorBody;
  expect(body.error.code).toBe(code);
  expect(body.error.message).toMatch(pattern);
}

const BAD_QUERIES: [string, string, RegExp][] = [
  ["count=0", "invalid_count", /count must be an integer from 1 to 64/],
  ["count=-1", "invalid_count", /count .*got "-1"/],
  ["count=1.5", "invalid_count", /count .*got "1\.5"/],
  ["count=65", "invalid_count", /count must be an integer from 1 to 64/],
  ["count=abc", "invalid_count", /count .*got "abc"/],
  ["count=", "invalid_count", /count/],
  ["count=1e1", "invalid_count", /count/],
  ["label=10", "invalid_label", /label must be an integer from 0 to 9/],
  ["label=-1", "invalid_label", /label/],
  ["label=seven", "invalid_label", /label .*got "seven"/],
  ["seed=abc", "invalid_seed", /seed must be an unsigned 32-bit integer from 0 to 4294967295/],
  ["seed=4294967296", "invalid_seed", /seed .*4294967295/],
  ["seed=-5", "invalid_seed", /seed/],
  ["seed=99999999999999999999999", "invalid_seed", /seed/],
  ["format=gif", "invalid_format", /format must be "json" \(default\), "png" or "svg"; got "gif"/],
  ["format=PNG", "invalid_format", /format/],
  ["count=1&count=2", "repeated_parameter", /"count" was given 2 times/],
  ["seed=1&seed=1", "repeated_parameter", /"seed"/],
  ["label=1&label=2", "repeated_parameter", /"label"/],
  [
    "cuont=4",
    "unknown_parameter",
    /unknown query parameter "cuont"; accepted parameters: count, label, labels, text, style, seed, format/,
  ],
];

describe("GET /sample with a bad query", () => {
  it.each(BAD_QUERIES)("?%s -> 400 %s", async (query, code, pattern) => {
    const res = await call(app, `/sample?${query}`);
    await expectError(res, 400, code, pattern);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
  });

  it("never answers 5xx to odd queries", async () => {
    const odd = [
      "%ff",
      "count=%00",
      "label=%E2%82%AC",
      "seed=1&&&",
      "=",
      "count[]=1",
      "a".repeat(5000),
    ];
    for (const query of odd) {
      const res = await call(app, `/sample?${query}`);
      expect(res.status, query).toBeLessThan(500);
    }
  });
});

describe("unknown paths and wrong methods", () => {
  it.each([
    "/nope",
    "/sample/1",
    "/generator.onnx",
    "/model/generator.onnx",
    "/model.json",
    "/model/model.json",
  ])("GET %s -> 404 JSON (the model file is never reachable by URL)", async (path) => {
    await expectError(await call(app, path), 404, "not_found", /no route for GET/);
  });

  it.each([
    ["POST", "/sample"],
    ["PUT", "/model"],
    ["DELETE", "/healthz"],
    ["PATCH", "/"],
    ["POST", "/openapi.json"],
  ])("%s %s -> 405 with Allow", async (method, path) => {
    const res = await call(app, path, { method });
    await expectError(
      res,
      405,
      "method_not_allowed",
      new RegExp(`${method} is not allowed on ${path.replace(".", "\\.")}`),
    );
    expect(res.headers.get("Allow")).toBe("GET, HEAD, OPTIONS");
  });
});
