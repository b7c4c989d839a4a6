/**
 * Models released into R2 (Miniflare's local bucket, inside workerd): served by name beside the
 * bundled ones, verified by the sha256 in their manifest (a mismatch is a 503 for that model,
 * never a crash), released and rolled back by moving the `live` pointer, pinned versions kept.
 * Each phase builds a fresh app, i.e. a fresh isolate (pointers are cached per isolate).
 */
import { env } from "cloudflare:test";
import type { ModelListing } from "@edgegan/shared/api-bodies";
import { describe, expect, it, vi } from "vitest";
import { createApp } from "../src/app.ts";
import { createModelRegistry } from "../src/model-registry.ts";
import { POINTER_TTL_MS } from "../src/r2-models.ts";
import {
  appWithModel,
  call,
  expectModelUnavailable,
  fixtureBytes,
  fixtureManifest,
  fixtureVariant,
  withFixtureManifest,
} from "./helpers.ts";

const bucket = env.TEST_MODELS as R2Bucket;
const bindings = { MODELS: bucket };
const freshApp = () => appWithModel(() => ({ manifest: fixtureManifest, onnx: fixtureBytes }));

/** Upload one version the way the release steps in the README do (files first). */
async function upload(name: string, version: string, bytes: Uint8Array, sha256?: string) {
  const raw = await withFixtureManifest(bytes);
  const manifest = raw.manifest as typeof fixtureManifest;
  const stored = {
    ...manifest,
    version,
    onnx: { ...manifest.onnx, sha256: sha256 ?? manifest.onnx.sha256 },
  };
  await bucket.put(`models/${name}/${version}/generator.onnx`, bytes);
  await bucket.put(`models/${name}/${version}/model.json`, JSON.stringify(stored));
}
const setLive = (name: string, version: string) => bucket.put(`models/${name}/live`, version);

describe("models from R2", () => {
  it("serves a released model by name beside the bundled ones, and lists it", async () => {
    await upload("letters", "letters-v1", fixtureVariant("a"));
    await setLive("letters", "letters-v1");
    const app = freshApp();
    const res = await call(app, "/sample?count=2&seed=3&model=letters", {}, bindings);
    expect(res.status).toBe(200);
    expect(res.headers.get("X-Model-Version")).toBe("letters-v1");
    const list = (await (await call(app, "/models", {}, bindings)).json()) as {
      models: ModelListing[];
    };
    expect(list.models.map((m) => [m.name, m.source])).toContainEqual(["letters", "r2"]);
    expect(list.models[0]?.name).toBe("mnist");
    // without the binding the worker knows only its bundle
    expect((await call(freshApp(), "/sample?model=letters")).status).toBe(404);
  });

  it("releases and rolls back by moving the live pointer; pinned URLs keep their version", async () => {
    await upload("shapes", "shapes-v1", fixtureVariant("b"));
    await setLive("shapes", "shapes-v1");
    const v1 = await call(freshApp(), "/sample?count=2&seed=4&model=shapes", {}, bindings);
    const v1Bytes = new Uint8Array(await v1.arrayBuffer());

    await upload("shapes", "shapes-v2", fixtureVariant("c"));
    await setLive("shapes", "shapes-v2"); // release
    const app = freshApp();
    const v2 = await call(app, "/sample?count=2&seed=4&model=shapes", {}, bindings);
    expect(v2.headers.get("X-Model-Version")).toBe("shapes-v2");
    expect(v2.headers.get("ETag")).not.toBe(v1.headers.get("ETag"));
    const pinned = await call(
      app,
      "/sample?count=2&seed=4&model=shapes&version=shapes-v1",
      {},
      bindings,
    );
    expect(pinned.headers.get("X-Model-Version")).toBe("shapes-v1");
    expect(pinned.headers.get("Cache-Control")).toMatch(/immutable/);
    expect(new Uint8Array(await pinned.arrayBuffer())).toEqual(v1Bytes);
    const gone = await call(app, "/sample?model=shapes&version=shapes-v9", {}, bindings);
    expect(gone.status).toBe(404);
    expect(await gone.text()).toContain("the live version is shapes-v2");

    await setLive("shapes", "shapes-v1"); // rollback
    const back = await call(freshApp(), "/sample?count=2&seed=4&model=shapes", {}, bindings);
    expect(back.headers.get("X-Model-Version")).toBe("shapes-v1");
  });

  it("serves an earlier version of the bundled model from the bucket when a URL pins it", async () => {
    // a new bundle replaced mnist's version; the old one was released to R2 (no live pointer:
    // the bundle is the live version) so URLs pinned to it keep their bytes
    await upload("mnist", "mnist-earlier", fixtureVariant("e"));
    const app = freshApp();
    const pinned = await call(app, "/sample?count=2&seed=5&version=mnist-earlier", {}, bindings);
    expect(pinned.status).toBe(200);
    expect(pinned.headers.get("X-Model-Version")).toBe("mnist-earlier");
    expect(pinned.headers.get("Cache-Control")).toMatch(/immutable/);
    const live = await call(app, "/sample?count=2&seed=5", {}, bindings);
    expect(live.headers.get("X-Model-Version")).toBe(fixtureManifest.version);
    expect(live.headers.get("ETag")).not.toBe(pinned.headers.get("ETag"));
    const bundledPin = `/sample?count=2&seed=5&version=${fixtureManifest.version}`;
    expect((await call(app, bundledPin, {}, bindings)).headers.get("X-Model-Version")).toBe(
      fixtureManifest.version,
    );
    // a version in neither place, or any earlier version without the bucket: 404 naming the bundle's
    for (const [query, withBucket] of [
      ["/sample?version=mnist-never", bindings],
      ["/sample?version=mnist-earlier", {}],
    ] as const) {
      const missing = await call(app, query, {}, withBucket);
      expect(missing.status).toBe(404);
      expect(await missing.text()).toContain(`the live version is ${fixtureManifest.version}`);
    }
    const list = (await (await call(app, "/models", {}, bindings)).json()) as {
      models: ModelListing[];
    };
    expect(list.models.filter((m) => m.name === "mnist").map((m) => m.source)).toEqual(["bundle"]);
  });

  it("refuses a model whose bytes do not match its manifest's sha256: 503 for it alone", async () => {
    await upload("tampered", "tampered-v1", fixtureVariant("d"), "0".repeat(64));
    await setLive("tampered", "tampered-v1");
    const app = freshApp();
    await expectModelUnavailable(
      await call(app, "/sample?count=2&seed=1&model=tampered", {}, bindings),
      /sha256 is [0-9a-f]{64} but model\.json says 0{64}/,
    );
    expect((await call(app, "/sample?count=2&seed=1", {}, bindings)).status).toBe(200);
  });

  it("refuses a manifest filed under another version's folder", async () => {
    await upload("misfiled", "misfiled-v2", fixtureVariant("f"));
    const manifest = await bucket.get("models/misfiled/misfiled-v2/model.json");
    await bucket.put("models/misfiled/misfiled-v3/model.json", (await manifest?.text()) ?? "");
    await bucket.put("models/misfiled/misfiled-v3/generator.onnx", fixtureVariant("f"));
    await setLive("misfiled", "misfiled-v3");
    await expectModelUnavailable(
      await call(freshApp(), "/sample?count=1&seed=1&model=misfiled", {}, bindings),
      /misfiled-v3\/model\.json says version "misfiled-v2", not misfiled-v3/,
    );
  });
});

describe("R2 models and the Workers Cache", () => {
  /** An app over a registry whose pointer clock the test moves on. */
  function clockedApp(maxR2Sessions?: number) {
    let now = 0;
    const models = createModelRegistry(
      { mnist: () => ({ manifest: fixtureManifest, onnx: fixtureBytes }) },
      "mnist",
      { now: () => now, maxR2Sessions },
    );
    return { app: createApp({ models }), models, advance: (ms: number) => (now += ms) };
  }
  /** A request's execution context with a Workers Cache whose purges are recorded. */
  function contextWithCache(purge: (options: { tags: string[] }) => Promise<unknown>) {
    const pending: Promise<unknown>[] = [];
    const ctx = {
      waitUntil: (p: Promise<unknown>) => void pending.push(p),
      passThroughOnException: () => {},
      props: {},
      cache: { purge },
    } as unknown as ExecutionContext;
    return { ctx, settled: () => Promise.all(pending) };
  }

  it("tags seeded answers by model, version and (unpinned) live", async () => {
    await upload("tagged", "tagged-v1", fixtureVariant("g"));
    await setLive("tagged", "tagged-v1");
    const app = freshApp();
    const live = await call(app, "/sample?count=1&seed=2&model=tagged", {}, bindings);
    expect(live.headers.get("Cache-Tag")).toBe(
      "model:tagged,model:tagged@tagged-v1,model:tagged:live",
    );
    const pinned = await call(
      app,
      "/sample?count=1&seed=2&model=tagged&version=tagged-v1",
      {},
      bindings,
    );
    expect(pinned.headers.get("Cache-Tag")).toBe("model:tagged,model:tagged@tagged-v1");
    const unseeded = await call(app, "/sample?count=1&model=tagged", {}, bindings);
    expect(unseeded.headers.get("Cache-Tag")).toBeNull();
    expect(unseeded.headers.get("Cache-Control")).toBe("no-store");
  });

  it("purges a model's unpinned answers once when this isolate sees its live pointer move", async () => {
    await upload("moving", "moving-v1", fixtureVariant("h"));
    await setLive("moving", "moving-v1");
    const { app, advance } = clockedApp();
    const purged: string[][] = [];
    const { ctx, settled } = contextWithCache(async ({ tags }) => {
      purged.push(tags);
      return { success: true, errors: [] };
    });
    const get = (path: string) =>
      app.request(`http://edge.test${path}`, {}, { ...env, ...bindings }, ctx);
    expect((await get("/sample?count=1&seed=1&model=moving")).status).toBe(200);
    await upload("moving", "moving-v2", fixtureVariant("i"));
    await setLive("moving", "moving-v2");
    expect((await get("/sample?count=1&seed=1&model=moving")).headers.get("X-Model-Version")).toBe(
      "moving-v1", // the pointer is trusted for POINTER_TTL_MS
    );
    expect(purged).toEqual([]);
    advance(POINTER_TTL_MS + 1);
    const after = await get("/sample?count=1&seed=1&model=moving");
    expect(after.headers.get("X-Model-Version")).toBe("moving-v2");
    await get("/sample?count=1&seed=2&model=moving");
    await settled();
    expect(purged).toEqual([["model:moving:live"]]);
  });

  it("answers even when the purge fails, and logs the failure", async () => {
    await upload("flaky", "flaky-v1", fixtureVariant("j"));
    await setLive("flaky", "flaky-v1");
    const { app, advance } = clockedApp();
    const { ctx, settled } = contextWithCache(() =>
      Promise.reject(new Error("purge rate-limited")),
    );
    const get = (path: string) =>
      app.request(`http://edge.test${path}`, {}, { ...env, ...bindings }, ctx);
    await get("/sample?count=1&seed=1&model=flaky");
    await upload("flaky", "flaky-v2", fixtureVariant("k"));
    await setLive("flaky", "flaky-v2");
    advance(POINTER_TTL_MS + 1);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const res = await get("/sample?count=1&seed=1&model=flaky");
      expect(res.status).toBe(200);
      await settled();
      expect(warn.mock.calls.map((c) => String(c[0])).join("\n")).toMatch(
        /"event":"cache_purge_failed","model":"flaky","from":"flaky-v1","to":"flaky-v2","error":"purge rate-limited"/,
      );
    } finally {
      warn.mockRestore();
    }
  });

  it("keeps R2 sessions in an LRU: the least recently used is released, and recreated on demand", async () => {
    for (const v of ["1", "2", "3"]) await upload("pinned", `pinned-v${v}`, fixtureVariant(v));
    await setLive("pinned", "pinned-v3");
    const { models } = clockedApp(2);
    const resolve = async (version: string) => {
      const found = await models.resolve("pinned", version, bucket);
      if (!("holder" in found)) throw new Error(`pinned@${version} not found`);
      return found.holder;
    };
    const v1 = await (await resolve("pinned-v1")).get();
    const v2 = await (await resolve("pinned-v2")).get();
    await (await resolve("pinned-v1")).get(); // v1 used again: v2 is now the oldest
    await (await resolve("pinned-v3")).get(); // a third session: v2 is released
    const z = new Float32Array(100);
    const label = new Float32Array(10).fill(0.1);
    await expect(v2.run(z, label, 1)).rejects.toThrow(/session released/);
    expect((await v1.run(z, label, 1)).length).toBe(28 * 28);
    const again = await (await resolve("pinned-v2")).get(); // a new session for it
    expect((await again.run(z, label, 1)).length).toBe(28 * 28);
  });
});
