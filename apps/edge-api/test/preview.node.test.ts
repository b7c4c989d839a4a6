/**
 * The deploy bundle in bare workerd (`npm run preview`, scripts/workerd-preview.ts): what
 * `wrangler deploy --env production` would upload, served with no wrangler proxy and no
 * Miniflare, with stand-ins for the Cache API and the rate limiter. The answers a deploy gives:
 * health, seeded and unseeded samples as JSON and PNG, 304, pinned versions, unknown models,
 * and a cache that fails (throws, or never answers) costing neither the answer nor its bytes.
 */
import { healthBodySchema, modelsBodySchema } from "@edgegan/shared/api-bodies";
import { sampleDocumentSchema } from "@edgegan/shared/sample-document";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Preview, readWorkerConfig, startPreview } from "../scripts/workerd-preview.ts";
import { isAlive } from "../scripts/wrangler-dev.ts";

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

let preview: Preview;
/** A seed per test, so that no test reads another's cache entry. */
let seed = 7_000_000 + (Date.now() % 1_000_000);

async function get(path: string, init: RequestInit = {}) {
  const res = await fetch(`${preview.base}${path}`, {
    ...init,
    signal: AbortSignal.timeout(20_000),
  });
  return { res, bytes: new Uint8Array(await res.arrayBuffer()) };
}

/** The worker's console lines written since `mark` (workerd prints them on its stdout/stderr). */
function linesSince(mark: number): Record<string, unknown>[] {
  return preview
    .log()
    .slice(mark)
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The log's length now (the log keeps its last 256 kB; these tests write far less). */
const logMark = () => preview.log().length;

beforeAll(async () => {
  preview = await startPreview({ env: "production" });
}, 180_000);

afterAll(async () => {
  const pid = preview?.child.pid;
  await preview?.stop();
  if (pid !== undefined) expect(isAlive(pid)).toBe(false);
});

beforeEach(async () => {
  seed += 1000;
  await preview.setCacheMode("store");
});

describe("npm run preview: the production bundle in bare workerd", () => {
  it("serves /healthz and lists the models the bundle holds", async () => {
    const health = await get("/healthz");
    expect(health.res.status).toBe(200);
    const body = healthBodySchema.parse(JSON.parse(new TextDecoder().decode(health.bytes)));
    expect(body.model.name).toBe("mnist");
    const models = modelsBodySchema.parse(await (await fetch(`${preview.base}/models`)).json());
    expect(models.models.every((m) => m.status === "ok")).toBe(true);
    // every model in the bundle's data modules, and every served model's bytes in the bundle
    expect(preview.bundle.data.length).toBe(models.models.length);
  });

  it("answers a seeded PNG from the model, then from the cache with the same bytes", async () => {
    const path = `/sample?count=16&seed=${seed}&format=png`;
    const first = await get(path);
    expect(first.res.status).toBe(200);
    expect(first.res.headers.get("Content-Type")).toBe("image/png");
    expect([...first.bytes.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(first.res.headers.get("X-Cache")).toBe("miss");
    expect(first.res.headers.get("Cache-Control")).toBe("public, max-age=300");
    const second = await get(path);
    expect(second.res.headers.get("X-Cache")).toBe("hit");
    expect(second.bytes).toEqual(first.bytes);
    expect(second.res.headers.get("ETag")).toBe(first.res.headers.get("ETag"));
    expect((await preview.cacheStats()).hits).toBeGreaterThanOrEqual(1);
  });

  it("answers seeded JSON that matches the body schema, and regenerates it exactly", async () => {
    const path = `/sample?count=4&label=7&seed=${seed}`;
    const first = await get(path);
    expect(first.res.status).toBe(200);
    const doc = sampleDocumentSchema.parse(JSON.parse(new TextDecoder().decode(first.bytes)));
    expect(doc.images.map((i) => i.label)).toEqual([7, 7, 7, 7]);
    await preview.setCacheMode("miss"); // the second answer is generated again
    const again = await get(path);
    expect(again.res.headers.get("X-Cache")).toBe("miss");
    expect(again.bytes).toEqual(first.bytes);
  });

  it("answers unseeded requests no-store, and their X-Seed replays them byte for byte", async () => {
    for (const format of ["png", "json"] as const) {
      const random = await get(`/sample?count=3&format=${format}`);
      expect(random.res.status).toBe(200);
      expect(random.res.headers.get("Cache-Control")).toBe("no-store");
      expect(random.res.headers.get("X-Cache")).toBeNull();
      const replay = await get(
        `/sample?count=3&format=${format}&seed=${random.res.headers.get("X-Seed")}`,
      );
      expect(replay.bytes).toEqual(random.bytes);
    }
  });

  it("answers 304 to a matching If-None-Match without a body", async () => {
    const path = `/sample?count=64&seed=${seed}&format=png`;
    const first = await get(path);
    const etag = first.res.headers.get("ETag") ?? "";
    expect(etag).toMatch(/^"[^"]+"$/);
    const revalidated = await get(path, { headers: { "If-None-Match": etag } });
    expect(revalidated.res.status).toBe(304);
    expect(revalidated.bytes.byteLength).toBe(0);
    expect(revalidated.res.headers.get("ETag")).toBe(etag);
  });

  it("serves a pinned version immutable, and names the live one for an unknown version", async () => {
    const { models } = modelsBodySchema.parse(await (await fetch(`${preview.base}/models`)).json());
    const version = models.find((m) => m.name === "mnist")?.version ?? "";
    const pinned = await get(`/sample?count=2&seed=${seed}&format=png&version=${version}`);
    expect(pinned.res.status).toBe(200);
    expect(pinned.res.headers.get("Cache-Control")).toBe("public, max-age=31536000, immutable");
    expect(pinned.res.headers.get("X-Model-Version")).toBe(version);
    const unknown = await get(`/sample?count=2&seed=${seed}&version=no-such-version`);
    expect(unknown.res.status).toBe(404);
    const error = JSON.parse(new TextDecoder().decode(unknown.bytes)) as {
      error: { code: string; message: string };
    };
    expect(error.error.code).toBe("unknown_version");
    expect(error.error.message).toContain(version);
  });

  it("refuses an unknown model with 404 naming the known ones", async () => {
    const unknown = await get(`/sample?count=2&seed=${seed}&model=no-such-model`);
    expect(unknown.res.status).toBe(404);
    const error = JSON.parse(new TextDecoder().decode(unknown.bytes)) as {
      error: { code: string; message: string };
    };
    expect(error.error.code).toBe("unknown_model");
    expect(error.error.message).toContain("mnist");
  });

  it.each([
    ["throws", "throw"],
    ["never answers", "hang"],
  ] as const)(
    "answers 200 with the same bytes when the cache %s, and logs the failure",
    async (_, mode) => {
      const path = `/sample?count=16&seed=${seed}&format=png`;
      await preview.setCacheMode("miss");
      const healthy = await get(path);
      await preview.setCacheMode(mode);
      const mark = logMark();
      const failing = await get(path);
      expect(failing.res.status).toBe(200);
      expect(failing.bytes).toEqual(healthy.bytes);
      expect(failing.res.headers.get("ETag")).toBe(healthy.res.headers.get("ETag"));
      // the match failed (logged before the answer); give the put's line time to arrive
      await new Promise((r) => setTimeout(r, 500));
      const errors = linesSince(mark).filter((l) => l.event === "cache_error");
      expect(errors.map((l) => l.op)).toContain("match");
      const expected = mode === "hang" ? /did not settle within \d+ ms/ : /failing on demand/;
      expect(String(errors.find((l) => l.op === "match")?.error)).toMatch(expected);
      expect((await preview.cacheStats()).failures).toBeGreaterThanOrEqual(1);
    },
  );

  it("ships no per-phase timings in production (its clock stands still during CPU work)", async () => {
    const mark = logMark();
    const answer = await get(`/sample?count=4&seed=${seed}&format=png`);
    expect(answer.res.status).toBe(200);
    expect(answer.res.headers.get("Server-Timing")).toBeNull();
    const line = linesSince(mark).find((l) => l.event === "sample");
    expect(line).toMatchObject({ status: 200, model: "mnist", cache: "miss" });
    for (const field of ["inferenceMs", "encodeMs", "totalMs"])
      expect(line).not.toHaveProperty(field);
  });
});

describe("npm run preview: the rate limiter (last: it uses up this client's budget)", () => {
  it("answers 429 with Retry-After once the environment's limit per minute is used", async () => {
    const { ratelimits } = await readWorkerConfig("production");
    const limit = ratelimits.find((r) => r.name === "RATE_LIMITER")?.simple.limit ?? 0;
    expect(limit).toBeGreaterThan(0);
    // invalid requests count too, and cost no inference
    const statuses: number[] = [];
    for (let i = 0; i <= limit; i++) statuses.push((await get("/sample?count=0")).res.status);
    expect(statuses.slice(0, limit - 20).every((s) => s === 400)).toBe(true);
    const refused = await get("/sample?count=1&seed=1");
    expect(refused.res.status).toBe(429);
    expect(refused.res.headers.get("Retry-After")).toMatch(/^\d+$/);
  });
});
