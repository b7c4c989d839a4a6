/**
 * The other endpoints: /model, /healthz, /openapi.json, the gallery page and its assets,
 * and a misconfigured MAX_COUNT.
 */

import { ANIMATE_QUERY_PARAMETERS } from "@edgegan/shared/animate-query";
import { errorBodySchema, healthBodySchema, modelsBodySchema } from "@edgegan/shared/api-bodies";
import { decodePng } from "@edgegan/shared/png-decode";
import { createSampleClient } from "@edgegan/shared/sample-client";
import { sampleDocumentSchema } from "@edgegan/shared/sample-document";
import { MODEL_QUERY_PARAMETERS, SAMPLE_QUERY_PARAMETERS } from "@edgegan/shared/sample-query";
import { describe, expect, it } from "vitest";
import type { ErrorBody } from "../src/errors.ts";
import { appWithModel, call, fixtureApp, fixtureBytes, fixtureManifest } from "./helpers.ts";

const app = fixtureApp();

describe("GET /model", () => {
  it("gives the model card: the manifest, with eval null when no metrics were merged", async () => {
    const res = await call(app, "/model");
    expect(res.status).toBe(200);
    const card = (await res.json()) as Record<string, unknown>;
    expect(card).toMatchObject({
      version: fixtureManifest.version,
      arch: "dcgan",
      onnx: { sha256: fixtureManifest.onnx.sha256, bytes: fixtureManifest.onnx.bytes },
      dataset: { name: "mnist" },
      eval: null,
    });
  });

  it("shows an earlier trainer's card with today's names and without the command's flags", async () => {
    // as trainers before the settings split wrote training.config (pinned versions in R2 say so)
    const training = {
      ...fixtureManifest.training,
      config: {
        arch: "dcgan",
        gWidth: 8,
        lr: 2e-4,
        out: "run",
        resume: true,
        publish: true,
        preset: "full",
      },
    };
    const earlier = appWithModel(() => ({
      manifest: { ...fixtureManifest, training },
      onnx: fixtureBytes,
    }));
    const res = await call(earlier, "/model");
    expect(res.status).toBe(200);
    const card = (await res.json()) as { training: { config: Record<string, unknown> } };
    expect(card.training.config).toEqual({ arch: "dcgan", generatorWidth: 8, lr: 2e-4 });
  });
});

describe("GET /healthz", () => {
  it("is 200 with the loaded model's version once the session exists", async () => {
    const res = await call(app, "/healthz");
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      status: string;
      model: { version: string };
      sessionLoadMs: number;
    };
    expect(body.status).toBe("ok");
    expect(body.model.version).toBe(fixtureManifest.version);
    expect(body.sessionLoadMs).toBeGreaterThanOrEqual(0);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
  });

  it("says which deploy answers from the version metadata binding, null without one", async () => {
    const metadata = {
      id: "4c1d7e8a-0000-4000-8000-000000000001",
      tag: "v42",
      timestamp: "2026-12-01T10:00:00.000Z",
    };
    const bound = await call(app, "/healthz", {}, { CF_VERSION_METADATA: metadata });
    expect(((await bound.json()) as { deploy: unknown }).deploy).toEqual(metadata);
    const unbound = await call(app, "/healthz", {}, { CF_VERSION_METADATA: undefined });
    expect(((await unbound.json()) as { deploy: unknown }).deploy).toBeNull();
  });
});

describe("GET /openapi.json", () => {
  it("is OpenAPI 3.1 describing every path, with count bounded by MAX_COUNT", async () => {
    type Doc = {
      openapi: string;
      paths: Record<
        string,
        { get: { parameters?: { name: string; schema: { maximum?: number } }[] } }
      >;
    };
    const doc = (await (await call(app, "/openapi.json")).json()) as Doc;
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths).sort()).toEqual([
      "/",
      "/animate",
      "/gallery.css",
      "/gallery.js",
      "/healthz",
      "/model",
      "/models",
      "/openapi.json",
      "/sample",
    ]);
    // the documented parameters are exactly the ones the parsers accept
    const names = (path: string) => doc.paths[path]?.get.parameters?.map((p) => p.name) ?? [];
    expect(names("/sample")).toEqual([...SAMPLE_QUERY_PARAMETERS]);
    expect(names("/animate")).toEqual([...ANIMATE_QUERY_PARAMETERS]);
    expect(names("/model")).toEqual([...MODEL_QUERY_PARAMETERS]);
    expect(names("/healthz")).toEqual([...MODEL_QUERY_PARAMETERS]);
    const count = (d: Doc) => d.paths["/sample"]?.get.parameters?.find((p) => p.name === "count");
    expect(count(doc)?.schema.maximum).toBe(64);
    const small = (await (await call(app, "/openapi.json", {}, { MAX_COUNT: "8" })).json()) as Doc;
    expect(count(small)?.schema.maximum).toBe(8);
  });

  it("describes the /sample body with the schema a real answer satisfies", async () => {
    type Doc = { components: { schemas: Record<string, { required?: string[] }> } };
    const doc = (await (await call(app, "/openapi.json")).json()) as Doc;
    const sample = doc.components.schemas.Sample;
    // every field but the options echoed only when a request set them
    const always = Object.entries(sampleDocumentSchema.shape).filter(
      ([, field]) => !field.safeParse(undefined).success,
    );
    expect(sample?.required).toEqual(always.map(([name]) => name));
    expect(doc.components.schemas.ModelCard?.required).toEqual(
      expect.arrayContaining(["name", "onnx", "eval"]),
    );
    // the schema is strict: an answer with a field too many or too few would fail here
    const answer = await (await call(app, "/sample?count=3&seed=1&scale=2&columns=2")).json();
    expect(sampleDocumentSchema.safeParse(answer).success).toBe(true);
    expect(sampleDocumentSchema.safeParse({ ...(answer as object), extra: 1 }).success).toBe(false);
  });

  it("describes /models, /healthz and errors with the schemas their real answers satisfy", async () => {
    type Doc = { components: { schemas: Record<string, { required?: string[] }> } };
    const doc = (await (await call(app, "/openapi.json")).json()) as Doc;
    expect(doc.components.schemas.Models?.required).toEqual(["default", "models"]);
    expect(doc.components.schemas.Health?.required).toEqual([
      "status",
      "model",
      "sessionLoadMs",
      "deploy",
    ]);
    const strict = [
      [modelsBodySchema, await (await call(app, "/models")).json()],
      [healthBodySchema, await (await call(app, "/healthz")).json()],
      [errorBodySchema, await (await call(app, "/sample?count=0")).json()],
    ] as const;
    for (const [schema, body] of strict) expect(schema.safeParse(body).success).toBe(true);
    // strict: one field too many fails
    expect(healthBodySchema.safeParse({ ...(strict[1][1] as object), extra: 1 }).success).toBe(
      false,
    );
  });

  it("serves the typed client (packages/shared/sample-client.ts) end to end", async () => {
    const client = createSampleClient("http://edge.test", {
      fetch: (url, init) => call(app, new URL(url).pathname + new URL(url).search, init),
    });
    const doc = await client.json({ count: 3, label: 7, seed: 42, scale: 2 });
    expect(doc.seed).toBe(42);
    expect(doc.images.map((image) => image.label)).toEqual([7, 7, 7]);
    expect(doc.images[0]?.seed).toBe(42);
    expect(doc.sprite.tileSize).toBe(56);
    const png = await client.png({ count: 4, seed: 1 });
    expect(Array.from(png.subarray(1, 4))).toEqual([0x50, 0x4e, 0x47]); // "PNG"
    const sequence = await client.json({ labels: [2, 0, 2, 6], seed: 42, fg: "FF6600" });
    expect(sequence).toMatchObject({ labels: [2, 0, 2, 6], style: "shared", fg: "ff6600" });
    expect(await client.svg({ text: "42", seed: 1 })).toMatch(/^<svg /);
    const apng = await client.animate({ seed: 1, to: 2, label: 3, toLabel: 8, frames: 4 });
    expect(decodePng(apng).frames).toHaveLength(4);
    await expect(client.json({ model: "nope" })).rejects.toMatchObject({
      status: 404,
      code: "unknown_model",
    });
  });
});

describe("gallery", () => {
  it("serves the page with controls and its script and stylesheet", async () => {
    const page = await call(app, "/");
    expect(page.status).toBe(200);
    expect(page.headers.get("Content-Type")).toMatch(/^text\/html/);
    const html = await page.text();
    for (const id of [
      'id="count"',
      'id="label"',
      'id="seed"',
      'id="regenerate"',
      'src="/gallery.js"',
    ]) {
      expect(html).toContain(id);
    }
    expect(html).toContain('max="64"');
    const script = await call(app, "/gallery.js");
    expect(script.headers.get("Content-Type")).toMatch(/^text\/javascript/);
    expect(await script.text()).toContain('fetch("/sample?"');
    const css = await call(app, "/gallery.css");
    expect(css.headers.get("Content-Type")).toMatch(/^text\/css/);
  });
});

describe("misconfiguration", () => {
  it("reports an invalid MAX_COUNT as a server error naming the variable", async () => {
    const res = await call(app, "/sample?count=1", {}, { MAX_COUNT: "lots" });
    expect(res.status).toBe(500);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.code).toBe("server_misconfigured");
    expect(body.error.message).toMatch(/MAX_COUNT is "lots"/);
  });
});
