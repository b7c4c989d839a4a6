/**
 * Test helpers (run inside workerd): an app serving the committed fixture model, an app with
 * any injected model source, and a request shortcut that passes the worker's bindings.
 */
import { env } from "cloudflare:test";
import { expect } from "vitest";
import { createApp } from "../src/app.ts";
import type { ErrorBody } from "../src/errors.ts";
import { createGeneratorHolder } from "../src/inference.ts";
import { type RawModel, sha256Hex } from "../src/model-source.ts";
import fixtureBytes from "./fixtures/generator.onnx";
import fixtureManifest from "./fixtures/model.json";

export { fixtureBytes, fixtureManifest };

/** An app whose model comes from `load` (each call: a fresh holder, i.e. a fresh "isolate"). */
export function appWithModel(load: () => RawModel | Promise<RawModel>) {
  return createApp({ generator: createGeneratorHolder(load) });
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
