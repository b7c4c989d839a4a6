/**
 * The real worker entry (src/index.ts) as wrangler bundles it: the models shipped in models/,
 * imported through the Data rule, served by the default export.
 */
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import shippedFashion from "../models/fashion-mnist/model.json";
import shippedManifest from "../models/mnist/model.json";
import shippedFull from "../models/mnist-full/model.json";

const worker = exports.default;

describe("worker entry with the shipped models", () => {
  it("loads the default model and reports it on /healthz", async () => {
    const res = await worker.fetch("http://edge.test/healthz");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { model: { version: string; sha256: string } };
    expect(body.model).toEqual({
      name: "mnist",
      version: shippedManifest.version,
      sha256: shippedManifest.onnx.sha256,
    });
  });

  it("lists every bundled model on /models, the default first", async () => {
    const res = await worker.fetch("http://edge.test/models");
    const body = (await res.json()) as {
      default: string;
      models: { name: string; version: string; status: string }[];
    };
    expect(body.default).toBe("mnist");
    expect(body.models.map((m) => [m.name, m.version, m.status])).toEqual([
      ["mnist", shippedManifest.version, "ok"],
      ["mnist-full", shippedFull.version, "ok"],
      ["fashion-mnist", shippedFashion.version, "ok"],
    ]);
  });

  it("serves /sample as PNG and JSON, from the default model and by name", async () => {
    const png = await worker.fetch("http://edge.test/sample?count=4&seed=7&format=png");
    expect(png.status).toBe(200);
    expect(png.headers.get("Content-Type")).toBe("image/png");
    const json = await worker.fetch("http://edge.test/sample?count=2&seed=7");
    expect(((await json.json()) as { images: unknown[] }).images).toHaveLength(2);
    const full = await worker.fetch("http://edge.test/sample?count=2&seed=7&model=mnist-full");
    expect(full.headers.get("X-Model-Version")).toBe(shippedFull.version);
    const fashion = await worker.fetch(
      "http://edge.test/sample?count=2&label=9&seed=7&model=fashion-mnist",
    );
    const doc = (await fashion.json()) as { images: { className: string }[] };
    expect(doc.images.map((image) => image.className)).toEqual(["Ankle boot", "Ankle boot"]);
  });

  it("does not expose the model files", async () => {
    for (const path of ["/generator.onnx", "/models/mnist/generator.onnx", "/model/model.json"]) {
      expect((await worker.fetch(`http://edge.test${path}`)).status).toBe(404);
    }
  });
});
