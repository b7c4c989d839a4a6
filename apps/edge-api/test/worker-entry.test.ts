/**
 * The real worker entry (src/index.ts) as wrangler bundles it: the default model bundled through
 * the Data rule, the other shipped models read from the MODELS bucket (seeded from models/ by
 * test/seed-shipped-models.ts, as a release does), all served by the default export.
 */
import { exports } from "cloudflare:workers";
import { MACHINE_PATH } from "@edgegan/shared/manifest";
import { describe, expect, it } from "vitest";
import shippedFashion from "../models/fashion-mnist/model.json";
import shippedManifest from "../models/mnist/model.json";
import shippedFull from "../models/mnist-full/model.json";

const worker = exports.default;

describe("worker entry with the shipped models", () => {
  it("loads the default model and reports it on /healthz", async () => {
    const res = await worker.fetch("http://edge.test/healthz");
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      model: { version: string; sha256: string };
      deploy: unknown;
    };
    // Miniflare binds version metadata too: a fresh id per run, an empty tag, the start time
    expect(body.deploy).toMatchObject({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), tag: "" });
    expect(Number.isNaN(Date.parse((body.deploy as { timestamp: string }).timestamp))).toBe(false);
    expect(body.model).toEqual({
      name: "mnist",
      version: shippedManifest.version,
      sha256: shippedManifest.onnx.sha256,
    });
  });

  it("lists every shipped model on /models: the bundled default first, then R2's", async () => {
    const res = await worker.fetch("http://edge.test/models");
    const body = (await res.json()) as {
      default: string;
      models: { name: string; version: string; status: string }[];
    };
    expect(body.default).toBe("mnist");
    expect(body.models.map((m) => [m.name, m.version, m.status])).toEqual([
      ["mnist", shippedManifest.version, "ok"],
      ["fashion-mnist", shippedFashion.version, "ok"],
      ["mnist-full", shippedFull.version, "ok"],
    ]);
    expect(body.models.map((m) => (m as { source?: string }).source)).toEqual([
      "bundle",
      "r2",
      "r2",
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

  it("serves no path of the machine that trained or built a model in any JSON answer", async () => {
    const paths = ["/models", "/healthz", "/openapi.json"];
    for (const name of ["mnist", "mnist-full", "fashion-mnist"]) {
      paths.push(`/model?model=${name}`, `/healthz?model=${name}`);
    }
    const leaks: string[] = [];
    const visit = (value: unknown, where: string): void => {
      if (typeof value === "string") {
        if (MACHINE_PATH.test(value) && !isApiPath(value)) leaks.push(`${where}: ${value}`);
      } else if (value !== null && typeof value === "object") {
        for (const [key, item] of Object.entries(value)) visit(item, `${where}.${key}`);
      }
    };
    for (const path of paths) {
      const res = await worker.fetch(`http://edge.test${path}`);
      expect(res.status, path).toBe(200);
      visit(await res.json(), path);
    }
    expect(leaks).toEqual([]);
  });
});

/** A path of this API (e.g. "/sample" in the OpenAPI document), not of a file system. */
function isApiPath(text: string): boolean {
  return /^\/[a-z]*(\?[^/]*)?$/.test(text);
}
