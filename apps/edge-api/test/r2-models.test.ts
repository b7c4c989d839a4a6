/**
 * Models released into R2 (Miniflare's local bucket, inside workerd): served by name beside the
 * bundled ones, verified by the sha256 in their manifest (a mismatch is a 503 for that model,
 * never a crash), released and rolled back by moving the `live` pointer, pinned versions kept.
 * Each phase builds a fresh app, i.e. a fresh isolate (pointers are cached per isolate).
 */
import { env } from "cloudflare:test";
import type { ModelListing } from "@edgegan/shared/api-bodies";
import { describe, expect, it } from "vitest";
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
