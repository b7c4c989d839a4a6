/**
 * Caching of seeded /sample answers inside workerd: the ETag is known before inference (a
 * matching If-None-Match is a 304 without running the model), the Cache API answers repeats
 * without running it, pinned versions are immutable, unpinned ones revalidate soon, a new model
 * gives new tags, with an API key nothing is marked shareable, and a cache that throws, rejects,
 * answers garbage or never answers costs neither the answer nor its bytes (it is logged).
 */
import type { RawModel } from "@edgegan/shared";
import { describe, expect, it, vi } from "vitest";
import { type CacheErrorLine, PINNED_MAX_AGE_S, UNPINNED_MAX_AGE_S } from "../src/sample-cache.ts";
import {
  call,
  countingApp,
  fixtureBytes,
  fixtureManifest,
  fixtureVariant,
  withFixtureManifest,
} from "./helpers.ts";

/** A seed no other test file uses: caches.default is shared by the test runtime. */
let nextSeed = 7_000_000;
const freshSeed = () => nextSeed++;

describe("seeded /sample caching", () => {
  it("answers a matching If-None-Match with 304 without running the model", async () => {
    const { app, runs } = countingApp();
    const seed = freshSeed();
    const first = await call(app, `/sample?count=4&seed=${seed}&format=png`);
    expect(first.status).toBe(200);
    const etag = first.headers.get("ETag") as string;
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const before = runs();
    const revalidated = await call(app, `/sample?count=4&seed=${seed}&format=png`, {
      headers: { "If-None-Match": etag },
    });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers.get("ETag")).toBe(etag);
    expect(runs()).toBe(before);
  });

  it("serves a repeated seeded request from the Cache API without running the model, byte-identical", async () => {
    const { app, runs } = countingApp();
    const seed = freshSeed();
    const first = await call(app, `/sample?count=3&seed=${seed}`);
    expect(first.headers.get("X-Cache")).toBe("miss");
    const firstBytes = new Uint8Array(await first.arrayBuffer());
    const before = runs();
    const second = await call(app, `/sample?count=3&seed=${seed}`);
    expect(second.headers.get("X-Cache")).toBe("hit");
    expect(new Uint8Array(await second.arrayBuffer())).toEqual(firstBytes);
    expect(second.headers.get("ETag")).toBe(first.headers.get("ETag"));
    expect(second.headers.get("Content-Type")).toBe(first.headers.get("Content-Type"));
    expect(runs()).toBe(before);
  });

  it("never caches unseeded answers", async () => {
    const { app, runs } = countingApp();
    const res = await call(app, "/sample?count=2");
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(res.headers.get("ETag")).toBeNull();
    const before = runs();
    await call(app, "/sample?count=2");
    expect(runs()).toBe(before + 1);
  });

  it("pins a version: immutable for a year; unpinned: a short max-age", async () => {
    const { app } = countingApp();
    const seed = freshSeed();
    const unpinned = await call(app, `/sample?count=1&seed=${seed}`);
    expect(unpinned.headers.get("Cache-Control")).toBe(`public, max-age=${UNPINNED_MAX_AGE_S}`);
    const pinned = await call(
      app,
      `/sample?count=1&seed=${seed}&version=${fixtureManifest.version}`,
    );
    expect(pinned.status).toBe(200);
    expect(pinned.headers.get("Cache-Control")).toBe(
      `public, max-age=${PINNED_MAX_AGE_S}, immutable`,
    );
    expect(await pinned.arrayBuffer()).toEqual(await unpinned.arrayBuffer());
  });

  it("answers a version the worker does not have with 404 naming the live one", async () => {
    const { app } = countingApp();
    const res = await call(app, "/sample?count=1&seed=1&version=mnist-dcgan-1999-01-01-00000000");
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("unknown_version");
    expect(body.error.message).toContain(`the live version is ${fixtureManifest.version}`);
  });

  it("gives a new ETag when the model changes, for the same URL", async () => {
    const seed = freshSeed();
    const tagOf = async (other: () => Promise<RawModel> | RawModel) => {
      const { app } = countingApp({ other });
      const res = await call(app, `/sample?count=2&seed=${seed}&model=other`);
      expect(res.status).toBe(200);
      return res.headers.get("ETag");
    };
    const same = await tagOf(() => ({ manifest: fixtureManifest, onnx: fixtureBytes }));
    expect(await tagOf(() => ({ manifest: fixtureManifest, onnx: fixtureBytes }))).toBe(same);
    // a new version of the same bytes
    const renamed = await tagOf(() => ({
      manifest: { ...fixtureManifest, version: "mnist-dcgan-next" },
      onnx: fixtureBytes,
    }));
    // other bytes (one letter of the graph's doc string changed), their manifest updated
    const changed = await tagOf(() => withFixtureManifest(fixtureVariant("e")));
    expect(new Set([same, renamed, changed]).size).toBe(3);
  });

  it("with an API key: private answers, and the Cache API only behind the key check", async () => {
    const { app, runs } = countingApp();
    const seed = freshSeed();
    const key = { API_KEY: "secret-key" };
    const auth = { headers: { Authorization: "Bearer secret-key" } };
    const first = await call(app, `/sample?count=2&seed=${seed}`, auth, key);
    expect(first.status).toBe(200);
    expect(first.headers.get("Cache-Control")).toBe(`private, max-age=${UNPINNED_MAX_AGE_S}`);
    const noKey = await call(app, `/sample?count=2&seed=${seed}`, {}, key);
    expect(noKey.status).toBe(401);
    const before = runs();
    const again = await call(app, `/sample?count=2&seed=${seed}`, auth, key);
    expect(again.headers.get("X-Cache")).toBe("hit");
    expect(again.headers.get("Cache-Control")).toBe(`private, max-age=${UNPINNED_MAX_AGE_S}`);
    expect(runs()).toBe(before);
  });
});

describe("a failing Cache API never fails a request", () => {
  const cache = () => (caches as unknown as { default: Cache }).default;

  it.each([
    ["rejects", () => Promise.reject(new Error("cache exploded"))],
    [
      "throws",
      () => {
        throw new Error("No Cache was configured");
      },
    ],
    ["never settles", () => new Promise<never>(() => undefined)],
    ["answers a 500", () => Promise.resolve(new Response("broken", { status: 500 }))],
  ] as const)(
    "when match %s: the model's answer, the same bytes, a cache_error line",
    async (_, match) => {
      const { app } = countingApp();
      const seed = freshSeed();
      const path = `/sample?count=2&seed=${seed}&format=png`;
      const healthy = await call(app, path);
      const healthyBytes = new Uint8Array(await healthy.arrayBuffer());
      const errors = vi.spyOn(console, "error");
      const matchSpy = vi.spyOn(cache(), "match").mockImplementation(match as never);
      const putSpy = vi
        .spyOn(cache(), "put")
        .mockImplementation(() => Promise.reject(new Error("put refused")));
      try {
        const res = await call(app, path);
        expect(res.status).toBe(200);
        expect(res.headers.get("X-Cache")).toBe("miss");
        expect(new Uint8Array(await res.arrayBuffer())).toEqual(healthyBytes);
        const lines = errors.mock.calls.map(
          (args) => JSON.parse(String(args[0])) as CacheErrorLine,
        );
        expect(lines.map((l) => l.op).sort()).toEqual(["match", "put"]);
        expect(lines.every((l) => l.event === "cache_error" && l.error.length > 0)).toBe(true);
      } finally {
        matchSpy.mockRestore();
        putSpy.mockRestore();
        errors.mockRestore();
      }
    },
  );
});
