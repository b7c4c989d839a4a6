/**
 * Access control under hostile requests (property-based, fast-check), beyond the fixed cases of
 * access.test.ts: with API_KEY set, no path spelling (encoded, case, slashes, dot segments) and no
 * method or Authorization header other than the right key reaches anything that generates images
 * or describes the model; the same spellings do reach them with the key (so the property is not
 * vacuous). CORS preflights follow the configured origin list for any origin; the page and its
 * assets carry the CSP, and the page needs nothing the CSP forbids.
 *
 * Deliberately open with a key set: /, /gallery.js, /gallery.css, /openapi.json, and /healthz
 * (which shows the model's version and sha256 only, for load balancers that hold no key).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ROUTE_PATHS } from "../src/routes/table.ts";
import { call, fixtureApp } from "./helpers.ts";

const app = fixtureApp();
const KEY = "k3y-for-Tests_0";
const WITH_KEY = { API_KEY: KEY };

/** Spellings that a router might map to /sample or /model. */
const GUARDED_SPELLINGS = [
  "/sample",
  "/model",
  "/%73ample",
  "/%73%61%6d%70%6c%65",
  "/%6Dodel",
  "/sample/",
  "/model/",
  "//sample",
  "/SAMPLE",
  "/Model",
  "/./sample",
  "/x/../sample",
  "/healthz/../model",
  "/%2e/sample",
  "/sample%2F",
  "/sample;x",
  "/sample%00",
  "/model.json",
  "/model/generator.onnx",
  "/generator.onnx",
] as const;

const path = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...GUARDED_SPELLINGS) },
  { weight: 1, arbitrary: fc.constantFrom(...ROUTE_PATHS) },
  {
    weight: 1,
    arbitrary: fc
      .array(fc.constantFrom("sample", "model", "..", ".", "", "%2e", "%2f", "healthz", "x"), {
        minLength: 1,
        maxLength: 4,
      })
      .map((parts) => `/${parts.join("/")}`),
  },
);

const query = fc.constantFrom("", "?count=1&seed=1", "?count=1&seed=1&format=png", "?count=2");

/** Authorization values that are NOT the right key (the right one is filtered out). */
const wrongAuthorization = fc
  .oneof(
    fc.constantFrom(
      "",
      "Bearer",
      "Bearer ",
      `Bearer ${KEY.slice(0, -1)}`,
      `Bearer ${KEY}x`,
      `Bearer  ${KEY.toUpperCase()}`,
      `Basic ${KEY}`,
      `${KEY}`,
      `Bearer ${KEY} ${KEY}`,
      `Bearer ${"x".repeat(50_000)}`,
    ),
    fc.string({ maxLength: 40 }).map((s) => `Bearer ${s.replace(/[^\x20-\x7e]/g, "")}`),
  )
  .filter((value) => value.trim() !== `Bearer ${KEY}`);

const METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "get"] as const;

/** True when a response carries images or the model card. */
async function leaksModel(res: Response): Promise<string | null> {
  if (res.headers.get("X-Model-Version") || res.headers.get("X-Seed")) return "sample headers";
  const type = res.headers.get("Content-Type") ?? "";
  if (type.startsWith("image/")) return `content-type ${type}`;
  const text = await res.text();
  // an actual image, not the OpenAPI document's "data:image/png;base64,..." description
  if (/data:image\/png;base64,[A-Za-z0-9+/]{16}/.test(text)) return "a PNG data URL";
  // a card's values, not the OpenAPI document's schema of a card ("arch":{"type":...})
  if (/"arch"\s*:\s*"(dcgan|mlp)"/.test(text)) return "model card fields";
  return null;
}

describe("API key, property-based", () => {
  it("without the right key, no spelling of a guarded path yields images or the model card", async () => {
    // every route and method once, deterministically, then random spellings
    for (const p of [...ROUTE_PATHS, ...GUARDED_SPELLINGS]) {
      for (const method of METHODS) {
        const res = await call(app, `${p}?count=1&seed=1`, { method }, WITH_KEY);
        expect(await leaksModel(res), `${method} ${p}`).toBeNull();
      }
    }
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...METHODS),
        path,
        query,
        fc.option(wrongAuthorization, { nil: undefined }),
        async (method, p, q, authorization) => {
          const headers: Record<string, string> = {};
          if (authorization !== undefined) headers.Authorization = authorization;
          const res = await call(app, `${p}${q}`, { method, headers }, WITH_KEY);
          const context = `${method} ${p}${q} auth=${authorization?.slice(0, 40)}`;
          expect(res.status, context).toBeLessThan(500);
          expect(await leaksModel(res), context).toBeNull();
          expect(res.status === 304, context).toBe(false);
        },
      ),
      { numRuns: 250 },
    );
  });

  it("with the right key, the guarded routes answer (the spellings above do reach them)", async () => {
    const auth = { headers: { Authorization: `Bearer ${KEY}` } };
    for (const p of ["/sample", "/%73ample", "/%73%61%6d%70%6c%65"]) {
      const res = await call(app, `${p}?count=1&seed=1`, auth, WITH_KEY);
      expect(res.status, p).toBe(200);
      expect(await leaksModel(res), p).toBe("sample headers");
      const denied = await call(app, `${p}?count=1&seed=1`, {}, WITH_KEY);
      expect(denied.status, p).toBe(401);
    }
    for (const p of ["/model", "/%6Dodel"]) {
      const res = await call(app, p, auth, WITH_KEY);
      expect(res.status, p).toBe(200);
      expect(await leaksModel(res), p).toBe("model card fields");
      expect((await call(app, p, {}, WITH_KEY)).status, p).toBe(401);
    }
    // HEAD goes through the same guard as GET
    expect((await call(app, "/sample?count=1&seed=1", { method: "HEAD" }, WITH_KEY)).status).toBe(
      401,
    );
  });
});

describe("CORS preflight, property-based", () => {
  const origin = fc.oneof(
    fc.constantFrom("https://a.example", "https://b.example", "https://evil.example", "null", ""),
    fc.webUrl().map((u) => new URL(u).origin),
  );
  const config = fc.constantFrom("*", "https://a.example", "https://a.example, https://b.example");

  it("answers 204 without a key, echoing only configured origins, allowing only safe methods", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("/sample", "/model", "/healthz", "/"),
        origin,
        config,
        fc.constantFrom("GET", "HEAD", "POST", "DELETE"),
        async (p, o, corsOrigins, requested) => {
          const res = await call(
            app,
            p,
            {
              method: "OPTIONS",
              headers: {
                Origin: o,
                "Access-Control-Request-Method": requested,
                "Access-Control-Request-Headers": "authorization, if-none-match",
              },
            },
            { ...WITH_KEY, CORS_ORIGINS: corsOrigins },
          );
          const context = `OPTIONS ${p} origin=${o} config=${corsOrigins}`;
          expect(res.status, context).toBe(204);
          expect(await res.text(), context).toBe("");
          const allowed =
            corsOrigins === "*" ? "*" : corsOrigins.split(/\s*,\s*/).includes(o) ? o : null;
          expect(res.headers.get("Access-Control-Allow-Origin"), context).toBe(allowed);
          const methods = (res.headers.get("Access-Control-Allow-Methods") ?? "").split(/\s*,\s*/);
          expect(methods.sort(), context).toEqual(["GET", "HEAD", "OPTIONS"]);
          expect(res.headers.get("Access-Control-Allow-Headers"), context).toMatch(
            /Authorization/i,
          );
          expect(res.headers.get("Access-Control-Max-Age"), context).toBe("86400");
          if (corsOrigins !== "*") expect(res.headers.get("Vary"), context).toMatch(/Origin/i);
          else expect(res.headers.get("Vary") ?? "", context).not.toMatch(/Origin/i);
        },
      ),
      { numRuns: 120 },
    );
  });
});

describe("content security policy", () => {
  it.each(["/", "/gallery.js", "/gallery.css"])("%s carries the strict CSP", async (p) => {
    const res = await call(app, p);
    expect(res.status).toBe(200);
    const csp = res.headers.get("Content-Security-Policy") ?? "";
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(csp).not.toMatch(/unsafe-(inline|eval)/);
  });

  it("the page uses nothing that CSP blocks: no inline script, style or event handler", async () => {
    const html = await (await call(app, "/")).text();
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc="\/[^"]+"/);
      expect(body?.trim()).toBe("");
    }
    expect(html).not.toMatch(/<style\b/i);
    expect(html).not.toMatch(/\sstyle=/i);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//i);
  });
});
