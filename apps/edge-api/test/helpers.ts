/**
 * Test helpers (run inside workerd): an app serving the committed fixture model, an app with
 * any injected model source, and a request shortcut that passes the worker's bindings.
 */
import { env } from "cloudflare:test";
import { type RawModel, sha256Hex } from "@edgegan/shared";
import { expect } from "vitest";
import { createApp } from "../src/app.ts";
import type { ErrorBody } from "../src/errors.ts";
import type { GeneratorHolder } from "../src/inference.ts";
import { createModelRegistry, type ModelRegistry } from "../src/model-registry.ts";
import fixtureBytes from "./fixtures/generator.onnx";
import fixtureManifest from "./fixtures/model.json";

export { fixtureBytes, fixtureManifest };

/**
 * An app whose default model "mnist" comes from `load` (each call: a fresh registry, i.e. a
 * fresh "isolate"); `others` adds more models by name.
 */
export function appWithModel(
  load: () => RawModel | Promise<RawModel>,
  others: Record<string, () => RawModel | Promise<RawModel>> = {},
) {
  return createApp({ models: createModelRegistry({ mnist: load, ...others }, "mnist") });
}

/** One app over the fixture model, shared by a test file (its session is created once). */
export function fixtureApp() {
  return appWithModel(() => ({ manifest: fixtureManifest, onnx: fixtureBytes }));
}

type App = ReturnType<typeof createApp>;

/** GET (or other init) against an app with the wrangler bindings, plus overrides. */
export function call(
  app: App,
  path: string,
  init: RequestInit = {},
  bindings: Partial<Env> = {},
): Promise<Response> {
  return Promise.resolve(app.request(`http://edge.test${path}`, init, { ...env, ...bindings }));
}

/** The fixture manifest pointed at `bytes` (right sha256 and size), so only the bytes themselves can be wrong. */
export async function withFixtureManifest(bytes: Uint8Array): Promise<RawModel> {
  return {
    manifest: {
      ...fixtureManifest,
      onnx: { ...fixtureManifest.onnx, sha256: await sha256Hex(bytes), bytes: bytes.byteLength },
    },
    onnx: bytes,
  };
}

/**
 * The fixture's bytes with the first letter of its graph's doc string replaced by `letter`:
 * another valid model (other bytes and sha256) that draws the same images.
 * @throws Error when the doc string is not found (the fixture changed shape)
 */
export function fixtureVariant(letter: string): Uint8Array {
  const bytes = new Uint8Array(fixtureBytes.byteLength);
  bytes.set(new Uint8Array(fixtureBytes));
  const doc = new TextEncoder().encode("EdgeGAN class-conditional");
  const at = bytes.findIndex((_, i) => doc.every((b, j) => bytes[i + j] === b));
  if (at < 0) throw new Error("the fixture's doc string was not found");
  bytes[at] = letter.charCodeAt(0);
  return bytes;
}

/** Expect a 200 (the body is the failure message otherwise); the response stays readable. */
export async function expectOk(res: Response): Promise<Response> {
  expect(res.status, await res.clone().text()).toBe(200);
  return res;
}

/** Expect a 400 JSON answer with this error code and a message matching `message`. */
export async function expectRefusal(res: Response, code: string, message: RegExp): Promise<void> {
  const text = await res.text();
  expect(res.status, text).toBe(400);
  const body = JSON.parse(text) as ErrorBody;
  expect(body.error.code).toBe(code);
  expect(body.error.message).toMatch(message);
}

/** Expect a 503 `model_unavailable` JSON answer whose message matches `reason`. */
export async function expectModelUnavailable(res: Response, reason: RegExp): Promise<void> {
  const text = await res.text();
  expect(res.status, text).toBe(503);
  expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
  const body = JSON.parse(text) as ErrorBody;
  expect(body.error.code).toBe("model_unavailable");
  expect(body.error.message).toMatch(reason);
}

/**
 * A model that failed to load: /sample (json and png) and /healthz answer 503 with the reason,
 * again on a second call (the failure is remembered), and the rest of the API keeps answering.
 */
export async function expectFailedModelContained(app: App, reason: RegExp): Promise<void> {
  await expectModelUnavailable(await call(app, "/healthz"), reason);
  await expectModelUnavailable(await call(app, "/sample?count=2&seed=1"), reason);
  await expectModelUnavailable(await call(app, "/sample?count=2&seed=1&format=png"), reason);
  await expectModelUnavailable(await call(app, "/healthz"), reason);
  expect((await call(app, "/openapi.json")).status).toBe(200);
  expect((await call(app, "/")).status).toBe(200);
}

/** Width and height from a PNG's IHDR, after checking the signature. */
export function pngSize(bytes: Uint8Array): { width: number; height: number } {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (!signature.every((b, i) => bytes[i] === b)) throw new Error("not a PNG");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** Decode a `data:image/png;base64,...` URL to bytes. */
export function dataUrlBytes(url: string): Uint8Array {
  const prefix = "data:image/png;base64,";
  if (!url.startsWith(prefix)) throw new Error(`not a PNG data URL: ${url.slice(0, 30)}`);
  return Uint8Array.from(atob(url.slice(prefix.length)), (ch) => ch.charCodeAt(0));
}

/**
 * An app over the fixture model (as "mnist", plus `others`) that counts generator runs, to
 * prove which answers come without inference.
 */
export function countingApp(others: Record<string, () => RawModel | Promise<RawModel>> = {}) {
  const registry = createModelRegistry(
    { mnist: () => ({ manifest: fixtureManifest, onnx: fixtureBytes }), ...others },
    "mnist",
  );
  let runs = 0;
  const counting: ModelRegistry = {
    defaultName: registry.defaultName,
    names: (bucket) => registry.names(bucket),
    async resolve(name, version, bucket) {
      const found = await registry.resolve(name, version, bucket);
      if (!("holder" in found)) return found;
      const holder: GeneratorHolder = {
        manifest: () => found.holder.manifest(),
        verifiedManifest: () => found.holder.verifiedManifest(),
        release: () => found.holder.release(),
        async get() {
          const generator = await found.holder.get();
          return {
            manifest: generator.manifest,
            loadMs: generator.loadMs,
            run(z, label, count) {
              runs += 1;
              return generator.run(z, label, count);
            },
            release: () => generator.release(),
          };
        },
      };
      return { ...found, holder };
    },
  };
  return { app: createApp({ models: counting }), runs: () => runs };
}
