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
    expect(Object.keys(mixed?.statusCounts ?? {}).sort()).toEqual(["200", "400", "404", "405"]);
    expect(report.memory.map((m) => m.role)).toEqual(["worker", "proxy"]);
    // the worker process holds ORT's wasm memory and the model: clearly more than at boot
    const worker = report.memory[0];
    expect(worker?.warmStartBytes).toBeGreaterThan(worker?.bootBytes ?? 0);
  });
});

describe("checkMemory", () => {
  const flat = Array.from({ length: 30 }, (_, t) => ({ t: t + 1, bytes: 200 * MiB }));
  it("accepts a plateau", () => {
    expect(checkMemory(190 * MiB, 200 * MiB, flat).every((c) => c.ok)).toBe(true);
  });

  it("flags a run that keeps setting new highs late (a leak), even below the gross bound", () => {
    // 3 MiB/s: ~100 kB per request at the ~30 req/s of the dev machine
    const leaking = flat.map((s) => ({ t: s.t, bytes: 200 * MiB + s.t * 3 * MiB }));
    const checks = checkMemory(190 * MiB, 290 * MiB, leaking);
    expect(checks.map((c) => c.ok)).toEqual([true, false]);
  });

  it("flags gross growth even in a short run", () => {
    const short = flat.slice(0, 5);
    const checks = checkMemory(100 * MiB, 190 * MiB, short);
    expect(checks).toHaveLength(1);
    expect(checks[0]?.ok).toBe(false);
  });
});
