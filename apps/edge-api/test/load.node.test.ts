/**
 * The short load test in CI: `wrangler dev` with the shipped model, 50 connections for ~5 s of
 * GET /sample?count=16 (seeded, then unseeded) and 2 s of mixed valid/invalid queries, with
 * workerd's resident memory sampled every second (scripts/load-test.ts; `npm run test:load` is
 * the long version). Runs in Node, not workerd.
 */
import { describe, expect, it } from "vitest";
import { checkMemory, runLoadTest } from "../scripts/load-test.ts";

const MiB = 2 ** 20;

describe("load (short version)", () => {
  it("serves every valid request, answers every invalid one with 4xx JSON, and does not grow", async () => {
    const report = await runLoadTest({ seconds: 4, mixedSeconds: 2, log: () => {} });
    for (const p of report.phases) {
      console.log(
        `${p.name}: ${p.requests} req, ${p.requestsPerSecond} req/s, p50 ${p.p50} ms, p99 ${p.p99} ms, errors ${p.errors}, wrong ${p.bad}`,
      );
    }
    for (const m of report.memory) {
      console.log(
        `workerd ${m.role} RSS MiB: warm start ${(m.warmStartBytes / MiB).toFixed(1)}, peak ${(m.peakBytes / MiB).toFixed(1)}, end ${(m.endBytes / MiB).toFixed(1)}`,
      );
    }
    expect(report.failures).toEqual([]);
    expect(report.phases.map((p) => p.name)).toEqual([
      "count=16 seeded",
      "count=16 unseeded",
      "mixed valid/invalid",
    ]);
    const [seeded, unseeded, mixed] = report.phases;
    expect(seeded?.statusCounts).toEqual({ "200": seeded?.requests });
    expect(unseeded?.statusCounts).toEqual({ "200": unseeded?.requests });
    expect(Object.keys(mixed?.statusCounts ?? {}).sort()).toEqual(["200", "400", "404"]);
    expect(report.memory.map((m) => m.role)).toEqual(["worker", "proxy"]);
    // the worker process holds ORT's wasm memory and the model: clearly more than at boot
    const worker = report.memory[0];
    expect(worker?.warmStartBytes).toBeGreaterThan(worker?.bootBytes ?? 0);
  });
});

describe("checkMemory", () => {
  // 40 s at 40 requests/s
  const sample = (t: number, mib: number) => ({ t, bytes: mib * MiB, requests: t * 40 });
  const flat = Array.from({ length: 40 }, (_, i) => sample(i + 1, 200));

  it("accepts a plateau", () => {
    expect(checkMemory(190 * MiB, 200 * MiB, flat).every((c) => c.ok)).toBe(true);
  });

  it("accepts heap sizing of ~4 kB per request", () => {
    const sizing = flat.map((s) => sample(s.t, 200 + (s.t * 40 * 4) / 1024));
    expect(checkMemory(190 * MiB, 206.25 * MiB, sizing).every((c) => c.ok)).toBe(true);
  });

  it("flags a leak of 25 kB per request (one JSON body), within the gross bound", () => {
    const leaking = flat.map((s) => sample(s.t, 200 + (s.t * 40 * 25) / 1024));
    const checks = checkMemory(190 * MiB, 239 * MiB, leaking);
    expect(checks.map((c) => c.ok)).toEqual([true, false]);
    expect(checks[1]?.detail).toMatch(/25\.00 KiB\/request/);
  });

  it("flags gross growth even in a short run", () => {
    const checks = checkMemory(100 * MiB, 190 * MiB, flat.slice(0, 5));
    expect(checks).toHaveLength(1);
    expect(checks[0]?.ok).toBe(false);
  });
});
