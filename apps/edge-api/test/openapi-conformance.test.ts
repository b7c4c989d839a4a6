/**
 * Every route's real answers, successes and errors alike, against the served /openapi.json
 * checked by a JSON Schema 2020-12 validator (openapi-check.ts): a status, header or body the
 * document does not describe fails here, and so does a documented answer no request here gives.
 * The shipped models' cards and listing are checked through the real worker entry, and the last
 * block shows the check failing when the route table leaves an answer out.
 */

import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { API_ERROR_CODES, modelCardSchema } from "@edgegan/shared/api-bodies";
import { modelManifestSchema } from "@edgegan/shared/manifest";
import { describe, expect, it } from "vitest";
import { readConfig } from "../src/config.ts";
import { buildOpenApi } from "../src/openapi.ts";
import type { RouteDeclaration } from "../src/routes/declaration.ts";
import { ROUTES } from "../src/routes/table.ts";
import { appWithModel, call, fixtureApp, fixtureBytes } from "./helpers.ts";
import { answerProblems, documentedKeys, type OpenApiDocument } from "./openapi-check.ts";

const app = fixtureApp();
/** A default model whose manifest is invalid: its routes answer 503. */
const broken = appWithModel(() => ({ manifest: { version: "x" }, onnx: fixtureBytes }));
const KEY = { API_KEY: "conformance-key" };
const MISCONFIGURED = { MAX_COUNT: "lots" };
/** The tests' limiter allows 3 requests per minute and key (vitest.config.ts). */
const tight = { RATE_LIMITER: env.TEST_RATE_LIMITER as RateLimit };
const fromIp = (ip: string) => ({ headers: { "CF-Connecting-IP": ip } });

const served = async () =>
  (await (await call(app, "/openapi.json")).json()) as unknown as OpenApiDocument;

/** One request and the status it must get. */
interface Exchange {
  method?: string;
  /** The document's path (without the query). */
  path: string;
  query?: string;
  status: number;
  send?: () => Promise<Response>;
}

/** A seeded answer asked again with its ETag: the 304. */
async function notModified(target: string): Promise<Response> {
  const etag = (await call(app, target)).headers.get("ETag") ?? "";
  return call(app, target, { headers: { "If-None-Match": etag } });
}

/** Spend an IP's budget on `target`, then one more: the 429. */
async function overLimit(target: string, ip: string): Promise<Response> {
  for (let i = 0; i < 3; i++) await call(app, target, fromIp(ip), tight);
  return call(app, target, fromIp(ip), tight);
}

const EXCHANGES: Exchange[] = [
  { path: "/sample", query: "?count=2&seed=1", status: 200 },
  { path: "/sample", query: "?count=2&seed=1&format=png", status: 200 },
  { path: "/sample", query: "?count=2&seed=1&format=svg", status: 200 },
  { path: "/sample", query: "?count=2", status: 200 }, // unseeded: no ETag, no X-Cache
  {
    path: "/sample",
    status: 304,
    send: () => notModified("/sample?count=2&seed=3"),
  },
  { path: "/sample", query: "?count=0", status: 400 },
  { path: "/sample", query: "?labels=1,2&count=2", status: 400 },
  { path: "/sample", query: "?count=64&scale=16", status: 400 },
  { path: "/sample", query: "?cuont=4", status: 400 },
  {
    path: "/sample",
    status: 401,
    send: () => call(app, "/sample?count=1&seed=1", {}, KEY),
  },
  { path: "/sample", query: "?model=nope", status: 404 },
  { path: "/sample", query: "?version=nope", status: 404 },
  { path: "/sample", status: 429, send: () => overLimit("/sample?count=1&seed=1", "192.0.2.1") },
  { path: "/sample", status: 503, send: () => call(broken, "/sample?count=1&seed=1") },
  { path: "/animate", query: "?seed=1&to=2&frames=2", status: 200 },
  {
    path: "/animate",
    status: 304,
    send: () => notModified("/animate?seed=1&frames=2"),
  },
  { path: "/animate", query: "?loop=true&seed=1&to=1", status: 400 },
  { path: "/animate", query: "?frames=1", status: 400 },
  { path: "/animate", status: 401, send: () => call(app, "/animate?seed=1&frames=2", {}, KEY) },
  { path: "/animate", query: "?model=nope", status: 404 },
  { path: "/animate", status: 429, send: () => overLimit("/animate?seed=1&frames=2", "192.0.2.2") },
  { path: "/animate", status: 503, send: () => call(broken, "/animate?seed=1&frames=2") },
  { path: "/models", status: 200 },
  { path: "/models", status: 200, send: () => call(broken, "/models") }, // an unavailable model
  { path: "/models", status: 401, send: () => call(app, "/models", {}, KEY) },
  { path: "/model", status: 200 },
  { path: "/model", query: "?model=NOPE", status: 400 },
  { path: "/model", status: 401, send: () => call(app, "/model", {}, KEY) },
  { path: "/model", query: "?model=nope", status: 404 },
  { path: "/model", query: "?version=nope", status: 404 },
  { path: "/model", status: 503, send: () => call(broken, "/model") },
  { path: "/healthz", status: 200 },
  { path: "/healthz", query: "?modle=mnist", status: 400 },
  { path: "/healthz", query: "?model=nope", status: 404 },
  { path: "/healthz", status: 503, send: () => call(broken, "/healthz") },
  { path: "/openapi.json", status: 200 },
  { path: "/", status: 200 },
  { path: "/gallery.js", status: 200 },
  { path: "/gallery.css", status: 200 },
  { method: "HEAD", path: "/sample", query: "?count=1&seed=1", status: 200 },
  // requests no route takes
  { path: "/nope", status: 404 },
  { path: "/sample/1", status: 404 },
  { method: "POST", path: "/sample", status: 405 },
  { method: "DELETE", path: "/openapi.json", status: 405 },
  // every route answers 500 when the worker is misconfigured
  ...ROUTES.map((route) => ({
    path: route.path,
    status: 500,
    send: () => call(app, route.path, {}, MISCONFIGURED),
  })),
];

const exchangeName = (e: Exchange) =>
  `${e.method ?? "GET"} ${e.path}${e.query ?? ""} -> ${e.status}`;
const seen = new Set<string>();

describe("every real answer is as /openapi.json documents it", () => {
  it.each(EXCHANGES.map((e) => [exchangeName(e), e] as const))("%s", async (_, exchange) => {
    const doc = await served();
    const method = exchange.method ?? "GET";
    const res = await (exchange.send?.() ??
      call(app, `${exchange.path}${exchange.query ?? ""}`, { method }));
    expect(res.status, await res.clone().text()).toBe(exchange.status);
    expect(await answerProblems(doc, method, exchange.path, res)).toEqual([]);
    seen.add(`${method} ${exchange.path} ${res.status}`);
  });

  it("every answer the document describes was given above", async () => {
    const missing = documentedKeys(await served()).filter((key) => !seen.has(key));
    expect(missing).toEqual([]);
  });

  it("every error code is a closed list, and each is documented on some answer", async () => {
    const doc = await served();
    const text = JSON.stringify(doc);
    const errorSchema = doc.components.schemas.Error as {
      properties: { error: { properties: { code: { enum: string[] } } } };
    };
    expect(errorSchema.properties.error.properties.code.enum).toEqual(API_ERROR_CODES);
    const undocumented = API_ERROR_CODES.filter((code) => !text.includes(`"${code}"`));
    expect(undocumented).toEqual([]);
  });
});

describe("the real worker entry's answers about the shipped models", () => {
  const worker = exports.default;
  const shipped = Object.keys(import.meta.glob("../models/*/model.json")).map(
    (path) => path.split("/").at(-2) as string,
  );

  it.each(["/models", ...shipped.map((name) => `/model?model=${name}`)])("%s", async (target) => {
    const res = await worker.fetch(`http://edge.test${target}`);
    expect(res.status, await res.clone().text()).toBe(200);
    const path = target.split("?")[0] as string;
    expect(await answerProblems(await served(), "GET", path, res)).toEqual([]);
  });
});

describe("the check fails on an answer the route table does not declare", () => {
  const origin = "http://edge.test";
  const docWith = (change: (route: RouteDeclaration) => RouteDeclaration) =>
    buildOpenApi(ROUTES.map(change), readConfig(env), origin) as unknown as OpenApiDocument;
  const at = (path: string, change: (route: RouteDeclaration) => RouteDeclaration) =>
    docWith((route) => (route.path === path ? change(route) : route));

  it("a 429 of a route declared without its rate limit", async () => {
    const doc = at("/sample", (route) => ({ ...route, rateLimited: false }));
    const res = await overLimit("/sample?count=1&seed=2", "192.0.2.3");
    expect(res.status).toBe(429);
    expect(await answerProblems(doc, "GET", "/sample", res)).toEqual([
      "GET /sample answered 429, which its document lacks (documented: 200, 304, 400, 401, 404, 500, 503)",
    ]);
  });

  it("a 404 of a route whose table entry lost it", async () => {
    const doc = at("/healthz", ({ responses: { 404: _, ...rest }, ...route }) => ({
      ...route,
      responses: rest,
    }));
    const res = await call(app, "/healthz?model=nope");
    const problems = await answerProblems(doc, "GET", "/healthz", res);
    expect(problems).toEqual([expect.stringMatching(/answered 404, which its document lacks/)]);
  });

  it("a body with a field its schema lacks (/model's name against the bare manifest)", async () => {
    const doc = at("/model", (route) => ({
      ...route,
      responses: {
        ...route.responses,
        200: {
          description: "the manifest alone",
          content: { "application/json": { name: "Manifest", schema: modelManifestSchema } },
        },
      },
    }));
    const res = await call(app, "/model");
    expect(modelCardSchema.safeParse(await res.clone().json()).success).toBe(true);
    const problems = await answerProblems(doc, "GET", "/model", res);
    expect(problems.join("\n")).toMatch(/body .*name/);
  });

  it("an error code the answer does not list", async () => {
    const doc = at("/healthz", (route) => ({
      ...route,
      responses: {
        ...route.responses,
        404: { ...route.responses[404], description: "x", errors: ["unknown_version"] },
      },
    }));
    const res = await call(app, "/healthz?model=nope");
    const problems = await answerProblems(doc, "GET", "/healthz", res);
    expect(problems.join("\n")).toMatch(/\/error\/code/);
  });
});
