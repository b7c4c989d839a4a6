/**
 * Rate limiting (Miniflare's rate-limit binding, inside workerd) and the per-request log line:
 * 429 with Retry-After once a caller's budget is spent, per client IP or per API key; one JSON
 * line per /sample with its fields, and nothing secret in it.
 */
import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { RATE_LIMIT_PERIOD_S } from "../src/rate-limit.ts";
import type { SampleLogLine } from "../src/sample-log.ts";
import { call, fixtureApp, fixtureManifest } from "./helpers.ts";

const app = fixtureApp();
/** The tests' limiter allows 3 requests per minute and key (vitest.config.ts). */
const tight = { RATE_LIMITER: env.TEST_RATE_LIMITER as RateLimit };
let nextIp = 1;
const freshIp = () => `198.51.100.${nextIp++}`;

describe("rate limit", () => {
  it("answers 429 with Retry-After once a client IP spent its budget; other IPs are unaffected", async () => {
    const ip = freshIp();
    const from = (address: string) => ({ headers: { "CF-Connecting-IP": address } });
    for (let i = 0; i < 3; i++) {
      expect((await call(app, "/sample?count=1&seed=1", from(ip), tight)).status).toBe(200);
    }
    const refused = await call(app, "/sample?count=1&seed=1", from(ip), tight);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("Retry-After")).toBe(String(RATE_LIMIT_PERIOD_S));
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("rate_limited");
    expect(body.error.message).toMatch(
      /too many \/sample requests for this client IP; retry after 60 s/,
    );
    expect((await call(app, "/sample?count=1&seed=1", from(freshIp()), tight)).status).toBe(200);
    // the cheap endpoints are not limited
    expect((await call(app, "/healthz", from(ip), tight)).status).toBe(200);
  });

  it("with an API key, limits per key across addresses (invalid requests count too)", async () => {
    const key = { ...tight, API_KEY: `key-${freshIp()}` };
    const auth = (address: string) => ({
      headers: { Authorization: `Bearer ${key.API_KEY}`, "CF-Connecting-IP": address },
    });
    for (let i = 0; i < 3; i++) {
      expect((await call(app, "/sample?count=0", auth(freshIp()), key)).status).toBe(400);
    }
    const refused = await call(app, "/sample?count=1&seed=1", auth(freshIp()), key);
    expect(refused.status).toBe(429);
    expect(await refused.text()).toMatch(/for this API key/);
  });
});

describe("log line per /sample", () => {
  afterEach(() => vi.restoreAllMocks());

  function linesOf(spy: { mock: { calls: unknown[][] } }): SampleLogLine[] {
    return spy.mock.calls
      .map((args) => String(args[0]))
      .filter((text) => text.startsWith('{"event":"sample"'))
      .map((text) => JSON.parse(text) as SampleLogLine);
  }

  it("writes one JSON line with model, version, count, scale, format, status, timings and cache", async () => {
    const spy = vi.spyOn(console, "log");
    const secret = "log-test-secret-key";
    const res = await call(
      app,
      "/sample?count=2&seed=424242&scale=2&format=png",
      { headers: { Authorization: `Bearer ${secret}` } },
      { API_KEY: secret },
    );
    expect(res.status).toBe(200);
    // wrangler.jsonc's top level (local runs) sets LOCAL_TIMINGS=true: the clock runs there
    expect(res.headers.get("Server-Timing")).toMatch(
      /^inputs;dur=[\d.]+, inference;dur=[\d.]+, encode;dur=[\d.]+$/,
    );
    const lines = linesOf(spy);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      event: "sample",
      status: 200,
      model: "mnist",
      version: fixtureManifest.version,
      count: 2,
      scale: 2,
      format: "png",
      cache: "miss",
    });
    for (const field of ["inferenceMs", "encodeMs", "totalMs"] as const) {
      expect(lines[0]?.[field]).toBeGreaterThanOrEqual(0);
    }
    const logged = spy.mock.calls.flat().map(String).join("\n");
    expect(logged).not.toContain(secret);
  });

  it("writes no timings where the clock stands still during CPU work (LOCAL_TIMINGS unset)", async () => {
    const spy = vi.spyOn(console, "log");
    const res = await call(
      app,
      "/sample?count=2&seed=434343&format=png",
      {},
      { LOCAL_TIMINGS: "" },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("Server-Timing")).toBeNull();
    const [line] = linesOf(spy);
    expect(line).toMatchObject({ status: 200, cache: "miss" });
    for (const field of ["inferenceMs", "encodeMs", "totalMs"])
      expect(line).not.toHaveProperty(field);
  });

  it("logs refused and cached answers too, with the fields known by then", async () => {
    const spy = vi.spyOn(console, "log");
    await call(app, "/sample?count=0");
    await call(app, "/sample?count=1&seed=515151");
    await call(app, "/sample?count=1&seed=515151");
    const [refused, miss, hit] = linesOf(spy);
    expect(refused).toMatchObject({ status: 400 });
    expect(refused?.model).toBeUndefined();
    expect(miss).toMatchObject({ status: 200, cache: "miss" });
    expect(hit).toMatchObject({ status: 200, cache: "hit" });
  });
});
