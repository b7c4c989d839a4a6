/**
 * Several models from one worker (inside workerd): the default keeps today's URLs working,
 * `model=NAME` picks another, unknown names get a 404 listing the known ones, and one failed
 * model answers 503 for itself only while the others keep serving.
 */

import type { ModelListing } from "@edgegan/shared/api-bodies";
import { describe, expect, it } from "vitest";
import wrongIoBytes from "./fixtures/wrong-io.onnx";
import {
  appWithModel,
  call,
  expectModelUnavailable,
  fixtureBytes,
  fixtureManifest,
  withFixtureManifest,
} from "./helpers.ts";

const app = appWithModel(() => ({ manifest: fixtureManifest, onnx: fixtureBytes }), {
  second: () => ({ manifest: { ...fixtureManifest, version: "second-v1" }, onnx: fixtureBytes }),
  broken: () => withFixtureManifest(new Uint8Array(wrongIoBytes)),
  "no-manifest": () => ({ manifest: undefined, onnx: fixtureBytes }),
});

describe("several models", () => {
  it("serves the default model without model=, and another by name", async () => {
    const byDefault = await call(app, "/sample?count=2&seed=5");
    expect(byDefault.status).toBe(200);
    expect(byDefault.headers.get("X-Model")).toBe("mnist");
    const second = await call(app, "/sample?count=2&seed=5&model=second");
    expect(second.status).toBe(200);
    expect(second.headers.get("X-Model")).toBe("second");
    expect(second.headers.get("X-Model-Version")).toBe("second-v1");
  });

  it("answers an unknown model name with 404 listing the known ones", async () => {
    for (const path of ["/sample?model=cifar", "/model?model=cifar", "/healthz?model=cifar"]) {
      const res = await call(app, path);
      expect(res.status, path).toBe(404);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("unknown_model");
      expect(body.error.message).toContain(
        'no model named "cifar"; known models: mnist, second, broken, no-manifest',
      );
    }
  });

  it("contains a failed model: 503 for it alone, the others keep serving", async () => {
    await expectModelUnavailable(
      await call(app, "/sample?count=2&seed=1&model=broken"),
      /has inputs \[noise,label\]/,
    );
    await expectModelUnavailable(await call(app, "/healthz?model=broken"), /has inputs/);
    await expectModelUnavailable(
      await call(app, "/model?model=no-manifest"),
      /model\.json is missing/,
    );
    expect((await call(app, "/sample?count=2&seed=1")).status).toBe(200);
    expect((await call(app, "/healthz")).status).toBe(200);
    expect((await call(app, "/sample?count=2&seed=1&model=second")).status).toBe(200);
  });

  it("lists every model on /models with its card fields, an unavailable one with its reason", async () => {
    const res = await call(app, "/models");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { default: string; models: ModelListing[] };
    expect(body.default).toBe("mnist");
    // the bundled ones first; the shipped models seeded into the test bucket follow (source "r2")
    const bundled = body.models.filter((m) => m.source === "bundle");
    const byName = Object.fromEntries(bundled.map((m) => [m.name, m]));
    expect(Object.keys(byName)).toEqual(["mnist", "second", "broken", "no-manifest"]);
    expect(body.models.slice(0, bundled.length)).toEqual(bundled);
    expect(byName.mnist).toMatchObject({
      default: true,
      source: "bundle",
      status: "ok",
      version: fixtureManifest.version,
      arch: "dcgan",
      dataset: {
        name: fixtureManifest.dataset.name,
        classNames: fixtureManifest.dataset.classNames,
      },
      onnx: {
        bytes: fixtureManifest.onnx.bytes,
        sha256: fixtureManifest.onnx.sha256,
        weights: "float32",
      },
    });
    expect(byName["no-manifest"]).toMatchObject({
      status: "unavailable",
      reason: /model\.json is missing/,
    });
    // the manifest of "broken" is fine: its failure shows only once a session is created
    expect(byName.broken?.status).toBe("ok");
  });

  it("gives a model's card by name, and refuses parameters /model does not take", async () => {
    const card = (await (await call(app, "/model?model=second")).json()) as {
      name: string;
      version: string;
    };
    expect(card).toMatchObject({ name: "second", version: "second-v1" });
    const bad = await call(app, "/model?count=3");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(
      /unknown query parameter "count"; accepted parameters: model, version/,
    );
  });
});
