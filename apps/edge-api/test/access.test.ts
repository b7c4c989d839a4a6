/**
 * Access control: the optional API key, CORS origins from config, and security headers on the page.
 */
import { describe, expect, it } from "vitest";
import type { ErrorBody } from "../src/errors.ts";
import { call, fixtureApp } from "./helpers.ts";

const app = fixtureApp();
const KEY = { API_KEY: "s3cret-key" };

describe("API key", () => {
  it("is not needed when API_KEY is unset", async () => {
    expect((await call(app, "/sample?count=1&seed=1")).status).toBe(200);
    expect((await call(app, "/model")).status).toBe(200);
  });

  it.each(["/sample?count=1&seed=1", "/model"])(
    "guards %s: 401 without or with a wrong key",
    async (path) => {
      const none = await call(app, path, {}, KEY);
      expect(none.status).toBe(401);
      expect(none.headers.get("WWW-Authenticate")).toMatch(/^Bearer/);
      expect(((await none.json()) as ErrorBody).error).toMatchObject({
        code: "unauthorized",
        message: expect.stringMatching(/Authorization: Bearer/),
      });
      const wrong = await call(app, path, { headers: { Authorization: "Bearer s3cret-kez" } }, KEY);
      expect(wrong.status).toBe(401);
      const basic = await call(app, path, { headers: { Authorization: "Basic s3cret-key" } }, KEY);
      expect(basic.status).toBe(401);
    },
  );

  it.each(["/sample?count=1&seed=1", "/model"])(
    "lets %s through with the right key",
    async (path) => {
      const res = await call(app, path, { headers: { Authorization: "Bearer s3cret-key" } }, KEY);
      expect(res.status).toBe(200);
    },
  );

  it.each(["/healthz", "/openapi.json", "/"])("leaves %s open", async (path) => {
    expect((await call(app, path, {}, KEY)).status).toBe(200);
  });

  it("marks /sample as secured in the OpenAPI document only when a key is set", async () => {
    type Doc = { paths: { "/sample": { get: { security: unknown[] } } } };
    const open = (await (await call(app, "/openapi.json")).json()) as Doc;
    const secured = (await (await call(app, "/openapi.json", {}, KEY)).json()) as Doc;
    expect(open.paths["/sample"].get.security).toEqual([]);
    expect(secured.paths["/sample"].get.security).toEqual([{ bearer: [] }]);
  });
});

describe("CORS", () => {
  it("allows any origin by default and exposes the seed and ETag headers", async () => {
    const res = await call(app, "/sample?count=1&seed=1", {
      headers: { Origin: "https://tool.example" },
    });
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(res.headers.get("Access-Control-Expose-Headers")).toMatch(/ETag/);
    expect(res.headers.get("Access-Control-Expose-Headers")).toMatch(/X-Seed/);
    // the same answer for every origin: nothing to vary by, so no cache is split by Origin
    expect(res.headers.get("Vary") ?? "").not.toMatch(/Origin/i);
    const preflight = await call(app, "/sample", {
      method: "OPTIONS",
      headers: { Origin: "https://tool.example", "Access-Control-Request-Method": "GET" },
    });
    expect(preflight.headers.get("Vary") ?? "").not.toMatch(/Origin/i);
  });

  it("echoes only configured origins", async () => {
    const origins = { CORS_ORIGINS: "https://a.example,https://b.example" };
    const allowed = await call(
      app,
      "/healthz",
      { headers: { Origin: "https://b.example" } },
      origins,
    );
    expect(allowed.headers.get("Access-Control-Allow-Origin")).toBe("https://b.example");
    expect(allowed.headers.get("Vary")).toMatch(/Origin/);
    const refused = await call(
      app,
      "/healthz",
      { headers: { Origin: "https://evil.example" } },
      origins,
    );
    expect(refused.headers.get("Access-Control-Allow-Origin")).toBeNull();
    expect(refused.headers.get("Vary")).toMatch(/Origin/); // a cache must not reuse it for b.example
  });

  it("answers a preflight without a key, allowing Authorization", async () => {
    const res = await call(
      app,
      "/sample",
      {
        method: "OPTIONS",
        headers: {
          Origin: "https://tool.example",
          "Access-Control-Request-Method": "GET",
          "Access-Control-Request-Headers": "authorization",
        },
      },
      KEY,
    );
    expect(res.status).toBe(204);
    expect(res.headers.get("Access-Control-Allow-Headers")).toMatch(/Authorization/i);
    expect(res.headers.get("Access-Control-Allow-Methods")).toMatch(/GET/);
  });
});

describe("security headers", () => {
  it("puts a strict CSP and anti-framing headers on the gallery page", async () => {
    const res = await call(app, "/");
    const csp = res.headers.get("Content-Security-Policy") ?? "";
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/script-src 'self'/);
    expect(csp).toMatch(/img-src data:/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(csp).not.toMatch(/unsafe-inline/);
    expect(res.headers.get("X-Frame-Options")).toBe("DENY");
    expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(res.headers.get("Referrer-Policy")).toBe("no-referrer");
  });

  it("leaves API responses embeddable cross-origin (no CORP same-origin) but nosniff", async () => {
    const res = await call(app, "/sample?count=1&seed=1&format=png");
    expect(res.headers.get("Cross-Origin-Resource-Policy")).toBeNull();
    expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
  });
});
