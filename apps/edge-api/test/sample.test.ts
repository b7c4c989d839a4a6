/**
 * GET /sample against the fixture model inside workerd: shapes, labels, determinism, per-image
 * regeneration, caching headers and conditional requests.
 */
import { NUM_CLASSES } from "@edgegan/shared";
import { gridLayout } from "@edgegan/shared/png";
import type { SampleDocument } from "@edgegan/shared/sample-document";
import { describe, expect, it } from "vitest";
import { call, dataUrlBytes, fixtureApp, fixtureManifest, pngSize } from "./helpers.ts";

const app = fixtureApp();
const SHORT = "public, max-age=300"; // unpinned seeded answers (caching.test.ts has the pinned ones)

async function sampleJson(
  query: string,
): Promise<{ res: Response; doc: SampleDocument; bytes: Uint8Array }> {
  const res = await call(app, `/sample?${query}`);
  expect(res.status).toBe(200);
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { res, doc: JSON.parse(new TextDecoder().decode(bytes)) as SampleDocument, bytes };
}

describe("GET /sample (json)", () => {
  it("gives 16 images by default, labels spread over the classes, image 0 on the request seed", async () => {
    const { res, doc } = await sampleJson("seed=42");
    expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
    expect(doc.model.version).toBe(fixtureManifest.version);
    expect(doc.model.sha256).toBe(fixtureManifest.onnx.sha256);
    expect(doc).toMatchObject({ seed: 42, count: 16, label: null });
    expect(doc.images).toHaveLength(16);
    expect(doc.images.map((image) => image.label)).toEqual(
      Array.from({ length: 16 }, (_, i) => i % NUM_CLASSES),
    );
    expect(doc.images[0]?.seed).toBe(42);
    expect(new Set(doc.images.map((image) => image.seed)).size).toBe(16);
    for (const image of doc.images) {
      expect(image.className).toBe(fixtureManifest.dataset.classNames[image.label]);
      expect(pngSize(dataUrlBytes(image.png))).toEqual({ width: 28, height: 28 });
    }
  });

  it("uses one label for every image when label is given", async () => {
    const { doc } = await sampleJson("count=5&label=7&seed=9");
    expect(doc.label).toBe(7);
    expect(doc.images.map((image) => image.label)).toEqual([7, 7, 7, 7, 7]);
  });

  it("is byte-identical for the same query, with a strong ETag and a short max-age", async () => {
    const first = await sampleJson("count=8&label=3&seed=123");
    const second = await sampleJson("count=8&label=3&seed=123");
    expect(second.bytes).toEqual(first.bytes);
    const etag = first.res.headers.get("ETag");
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(second.res.headers.get("ETag")).toBe(etag);
    expect(first.res.headers.get("Cache-Control")).toBe(SHORT);
    expect(first.res.headers.get("X-Seed")).toBe("123");
  });

  it("gives different images for a different seed", async () => {
    const a = await sampleJson("count=4&seed=1");
    const b = await sampleJson("count=4&seed=2");
    expect(b.doc.images.map((i) => i.png)).not.toEqual(a.doc.images.map((i) => i.png));
    expect(b.res.headers.get("ETag")).not.toBe(a.res.headers.get("ETag"));
  });

  it("regenerates every image of a batch exactly from count=1&label=L&seed=S", async () => {
    const { doc } = await sampleJson("count=16&seed=20261129");
    for (const image of doc.images) {
      const single = await sampleJson(`count=1&label=${image.label}&seed=${image.seed}`);
      expect(single.doc.images[0]?.png, `image ${image.index}`).toBe(image.png);
    }
  });

  it("picks and reports a random seed when none is given, with no-store and no ETag", async () => {
    const { res, doc, bytes } = await sampleJson("count=3");
    expect(Number.isInteger(doc.seed)).toBe(true);
    expect(res.headers.get("X-Seed")).toBe(String(doc.seed));
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(res.headers.get("ETag")).toBeNull();
    // The reported seed reproduces the whole response.
    const again = await sampleJson(`count=3&seed=${doc.seed}`);
    expect(again.bytes).toEqual(bytes);
  });

  it("answers 304 without a body when If-None-Match carries the ETag", async () => {
    const { res } = await sampleJson("count=2&seed=5");
    const etag = res.headers.get("ETag") as string;
    const cached = await call(app, "/sample?count=2&seed=5", {
      headers: { "If-None-Match": etag },
    });
    expect(cached.status).toBe(304);
    expect(cached.headers.get("ETag")).toBe(etag);
    expect(await cached.text()).toBe("");
  });

  it("accepts the configured maximum and refuses one more", async () => {
    const { doc } = await sampleJson("count=64&seed=1");
    expect(doc.images).toHaveLength(64);
    const small = await call(app, "/sample?count=5&seed=1", {}, { MAX_COUNT: "4" });
    expect(small.status).toBe(400);
    expect(((await small.json()) as { error: { message: string } }).error.message).toMatch(
      /from 1 to 4/,
    );
  });
});

describe("GET /sample (png)", () => {
  it("gives one PNG grid of all images, deterministic, sized by the shared grid layout", async () => {
    const first = await call(app, "/sample?count=16&seed=42&format=png");
    expect(first.status).toBe(200);
    expect(first.headers.get("Content-Type")).toBe("image/png");
    const bytes = new Uint8Array(await first.arrayBuffer());
    const layout = gridLayout(16);
    expect(pngSize(bytes)).toEqual({ width: layout.width, height: layout.height });
    const second = await call(app, "/sample?count=16&seed=42&format=png");
    expect(new Uint8Array(await second.arrayBuffer())).toEqual(bytes);
    expect(second.headers.get("ETag")).toBe(first.headers.get("ETag"));
    expect(first.headers.get("X-Seed")).toBe("42");
    expect(first.headers.get("X-Model-Version")).toBe(fixtureManifest.version);
  });

  it("answers HEAD with the headers and no body", async () => {
    const res = await call(app, "/sample?count=1&seed=1&format=png", { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("image/png");
    expect(await res.text()).toBe("");
  });
});
