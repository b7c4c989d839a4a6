/**
 * The real worker entry (src/index.ts) as wrangler bundles it: the model shipped in model/,
 * imported through the Data rule, served by the default export.
 */
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import shippedManifest from "../model/model.json";

const worker = exports.default;

describe("worker entry with the shipped model", () => {
  it("loads the shipped model and reports it on /healthz", async () => {
    const res = await worker.fetch("http://edge.test/healthz");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { model: { version: string; sha256: string } };
    expect(body.model).toEqual({
      version: shippedManifest.version,
      sha256: shippedManifest.onnx.sha256,
    });
  });

  it("serves /sample as PNG and JSON", async () => {
    const png = await worker.fetch("http://edge.test/sample?count=4&seed=7&format=png");
    expect(png.status).toBe(200);
    expect(png.headers.get("Content-Type")).toBe("image/png");
    const json = await worker.fetch("http://edge.test/sample?count=2&seed=7");
    expect(((await json.json()) as { images: unknown[] }).images).toHaveLength(2);
  });

  it("does not expose the model file", async () => {
    for (const path of ["/generator.onnx", "/model/generator.onnx", "/model/model.json"]) {
      expect((await worker.fetch(`http://edge.test${path}`)).status).toBe(404);
    }
  });
});
