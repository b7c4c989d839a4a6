/**
 * Hostile input, property-based (fast-check): whatever a client sends (query strings built from
 * junk, unicode, very long values, percent-encoding garbage, duplicated keys; any method on any
 * path; arbitrary and huge headers), the app never answers 5xx, and every 4xx is the JSON error
 * `{"error": {"code", "message"}}`. For GET /sample the app must also agree exactly with the
 * shared query parser on what the request URL means (200 iff the parser accepts it).
 *
 * Runs are bounded (numRuns below) so the file stays well under 20 s inside workerd.
 */
import { parseSampleQuery } from "@edgegan/shared/sample-query";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ROUTE_PATHS } from "../src/routes/table.ts";
import { call, dataUrlBytes, fixtureApp, fixtureManifest, pngSize } from "./helpers.ts";

const app = fixtureApp();
const DEFAULT_MAX_COUNT = 64; // wrangler.jsonc's MAX_COUNT, which `call` passes as bindings

/** Values known to trip naive number parsing, plus encoding junk. */
const NASTY_VALUES = [
  "1e9",
  "1e1",
  "-0",
  "+0",
  "0",
  "NaN",
  "nan",
  "Infinity",
  "-Infinity",
  "0x10",
  "0b1",
  "010",
  " 5",
  "5 ",
  "1.0",
  "1.5",
  "",
  "16",
  "64",
  "65",
  "1",
  "7",
  "9",
  "10",
  "-1",
  "4294967295",
  "4294967296",
  "18446744073709551616",
  "9".repeat(400),
  "json",
  "png",
  "PNG",
  "JSON",
  "png\u0000",
  "%",
  "%%",
  "%zz",
  "%ff",
  "%FF%FE",
  "%00",
  "%C0%AF",
  "%E2%82%AC",
  "%ED%A0%80",
  "+",
  "%2B5",
  "%26count%3D1",
  "\u202e7",
  "٧",
  "７",
  "𝟕",
  "🙂",
  "null",
  "undefined",
  "[]",
  "{}",
  "__proto__",
  "constructor",
] as const;

const NASTY_KEYS = [
  "count",
  "label",
  "seed",
  "format",
  "Count",
  "COUNT",
  "count[]",
  "count ",
  " count",
  "%63ount",
  "c%00ount",
  "",
  "__proto__",
  "constructor",
  "hasOwnProperty",
] as const;

/** A very long value: a short unit repeated thousands of times (up to ~60 kB). */
const longValue = fc
  .tuple(
    fc.constantFrom("9", "a", "%", "%ff", "é", "🙂", "&", "="),
    fc.integer({ min: 500, max: 20_000 }),
  )
  .map(([unit, times]) => unit.repeat(times));

const value = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...NASTY_VALUES) },
  { weight: 3, arbitrary: fc.string({ unit: "grapheme", maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 20 }) },
  { weight: 2, arbitrary: fc.nat({ max: 5_000_000_000 }).map(String) },
  { weight: 1, arbitrary: longValue },
);

const key = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...NASTY_KEYS) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 12 }) },
);

/** Percent-encode if possible (lone surrogates make encodeURIComponent throw), else raw. */
function encode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return text;
  }
}

/** One `key=value` pair, inserted raw (may carry &, =, #, %, spaces) or percent-encoded. */
const pair = fc
  .tuple(key, value, fc.boolean(), fc.constantFrom("=", "==", ""))
  .map(([k, v, raw, eq]) => (raw ? `${k}${eq}${v}` : `${encode(k)}=${encode(v)}`));

/** A query string (without "?"), duplicated keys included, joined by odd separators. */
const queryString = fc
  .tuple(fc.array(pair, { maxLength: 6 }), fc.constantFrom("&", "&&", ";", "&=&", "&amp;"))
  .chain(([pairs, sep]) => fc.subarray(pairs).map((repeats) => [...pairs, ...repeats].join(sep)));

/** Header names: common ones that the app reads, and random tokens. */
const headerName = fc.oneof(
  fc.constantFrom(
    "Authorization",
    "If-None-Match",
    "Origin",
    "Access-Control-Request-Method",
    "Access-Control-Request-Headers",
    "Accept",
    "Accept-Encoding",
    "Content-Type",
    "Cookie",
    "Range",
    "X-Forwarded-For",
    "User-Agent",
  ),
  fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,30}$/),
);

/**
 * Header values: printable ASCII, tricky tokens, and huge ones. (Non-ASCII is left out: workerd
 * re-encodes it as UTF-8 with a warning per header, and HTTP/1 carries it as opaque bytes anyway.)
 */
const headerValue = fc.oneof(
  fc.constantFrom(
    "*",
    "Bearer",
    "Bearer ",
    "Bearer \t",
    "bearer x y",
    `W/"abc", "def", *`,
    '"',
    ",,,,",
    "null",
    "GET",
    "authorization, x-evil",
    "https://evil.example",
  ),
  fc
    .string({
      unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
      maxLength: 60,
    })
    .map((s) => s.trim()),
  fc
    .tuple(
      fc.constantFrom("Bearer ", "", 'W/"', "x"),
      fc.constantFrom("a", "9", " ", ","),
      fc.integer({ min: 1000, max: 60_000 }),
    )
    .map(([prefix, unit, n]) => `${prefix}${unit.repeat(n)}`.trim()),
);

const headers = fc.array(fc.tuple(headerName, headerValue), { maxLength: 5 });

/**
 * Methods: the standard ones and some WebDAV/CDN ones. workerd itself refuses methods outside its
 * fixed list (`new Request` throws "Invalid HTTP method string"), so those never reach the app.
 */
const METHODS = [
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "DELETE",
  "PATCH",
  "OPTIONS",
  "PROPFIND",
  "PURGE",
  "MKCOL",
  "get",
  "patch",
];

/** Paths: every known route, near-misses of them, the model file, and random junk. */
const path = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...ROUTE_PATHS) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      "/sample/",
      "//sample",
      "/SAMPLE",
      "/%73ample",
      "/sample%2F",
      "/sample;x=1",
      "/./sample",
      "/x/../sample",
      "/model/",
      "/model.json",
      "/generator.onnx",
      "/model/generator.onnx",
      "/healthz/",
      "/openapi.json/",
      "/%2e%2e/%2e%2e/etc/passwd",
      "/%",
      "/%ff",
      "/%00",
      "/🙂",
    ),
  },
  {
    weight: 1,
    arbitrary: fc.string({ unit: "grapheme", maxLength: 40 }).map((s) => `/${encode(s)}`),
  },
);

const ERROR_STATUSES = new Set([400, 401, 404, 405]);

/** Assert a response is a JSON error `{"error": {"code", "message"}}` (the body is read). */
async function expectJsonError(
  res: Response,
  context: string,
): Promise<{ code: string; message: string }> {
  expect(res.headers.get("Content-Type"), context).toMatch(/^application\/json/);
  const body = (await res.json()) as { error?: { code?: unknown; message?: unknown } };
  expect(typeof body.error?.code, context).toBe("string");
  expect(typeof body.error?.message, context).toBe("string");
  expect(String(body.error?.message ?? "").length, context).toBeGreaterThan(0);
  return body.error as { code: string; message: string };
}

/** Never a 5xx, and an error is always the JSON shape (HEAD: headers only). */
async function expectWellFormed(res: Response, method: string, context: string): Promise<void> {
  expect(res.status, context).toBeLessThan(500);
  if (res.status >= 400) {
    expect(ERROR_STATUSES.has(res.status), `${context}: status ${res.status}`).toBe(true);
    if (res.status === 405) expect(res.headers.get("Allow"), context).toBe("GET, HEAD, OPTIONS");
    if (method === "HEAD") {
      expect(res.headers.get("Content-Type"), context).toMatch(/^application\/json/);
      await res.body?.cancel();
    } else {
      await expectJsonError(res, context);
    }
  } else {
    await res.arrayBuffer();
  }
}

describe("hostile input (property-based)", () => {
  it("GET /sample agrees with the shared parser on every query: 200 with a valid body, or 400 JSON", async () => {
    const seen = new Set<number>();
    await fc.assert(
      fc.asyncProperty(queryString, async (query) => {
        const url = new URL(`http://edge.test/sample?${query}`);
        const res = await call(app, `/sample?${query}`);
        seen.add(res.status);
        const context = `GET /sample?${query.slice(0, 200)}`;
        expect(res.status, context).toBeLessThan(500);
        const expected = parseSampleQuery(url.searchParams, { maxCount: DEFAULT_MAX_COUNT });
        if (!expected.ok) {
          expect(res.status, context).toBe(400);
          const error = await expectJsonError(res, context);
          expect(error.code, context).toBe(expected.error.code);
          expect(res.headers.get("Cache-Control"), context).toBe("no-store");
          return;
        }
        expect(res.status, context).toBe(200);
        const want = expected.value;
        if (want.format === "png") {
          const size = pngSize(new Uint8Array(await res.arrayBuffer()));
          expect(size.width * size.height, context).toBeGreaterThanOrEqual(want.count * 28 * 28);
          return;
        }
        const body = (await res.json()) as {
          seed: number;
          count: number;
          model: { version: string };
          images: { label: number; png: string }[];
        };
        expect(body.count, context).toBe(want.count);
        expect(body.images, context).toHaveLength(want.count);
        expect(body.model.version, context).toBe(fixtureManifest.version);
        if (want.seed !== null) expect(body.seed, context).toBe(want.seed);
        if (want.label !== null) {
          for (const image of body.images) expect(image.label, context).toBe(want.label);
        }
        expect(pngSize(dataUrlBytes(body.images[0]?.png ?? "")).width, context).toBe(28);
      }),
      { numRuns: 300 },
    );
    // the generators must reach both outcomes, or the property says little
    expect([...seen].sort()).toEqual([200, 400]);
  });

  it("any method on any path with any query and headers: never 5xx, errors are JSON", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...METHODS),
        path,
        fc.option(queryString, { nil: undefined }),
        headers,
        fc.option(fc.string({ maxLength: 200 }), { nil: undefined }),
        async (method, p, query, headerPairs, body) => {
          const target = query === undefined ? p : `${p}?${query}`;
          const init: RequestInit = { method, headers: headerPairs };
          if (body !== undefined && !/^(get|head)$/i.test(method)) init.body = body;
          const context = `${method} ${target.slice(0, 200)} headers=${JSON.stringify(headerPairs.map(([n, v]) => [n, v.slice(0, 40)]))}`;
          const res = await call(app, target, init);
          await expectWellFormed(res, method, context);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("bindings vary too (API key, CORS list): still never 5xx", async () => {
    const bindings = fc.record(
      {
        API_KEY: fc.string({ minLength: 1, maxLength: 40 }),
        CORS_ORIGINS: fc.constantFrom(
          "*",
          "https://a.example",
          "https://a.example, https://b.example",
          " , ",
        ),
        MAX_COUNT: fc.integer({ min: 1, max: 64 }).map(String),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...METHODS),
        path,
        fc.option(queryString, { nil: undefined }),
        headers,
        bindings,
        async (method, p, query, headerPairs, env) => {
          const target = query === undefined ? p : `${p}?${query}`;
          const context = `${method} ${target.slice(0, 200)} env=${JSON.stringify(env)}`;
          const res = await call(app, target, { method, headers: headerPairs }, env);
          await expectWellFormed(res, method, context);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("the examples the issue names, explicitly: 400 JSON naming the parameter", async () => {
    const cases: [string, RegExp][] = [
      ["count=1e9", /count/],
      ["seed=-0", /seed/],
      ["label=NaN", /label/],
      ["count=1&count=1", /"count" was given 2 times/],
      [`seed=${"9".repeat(100_000)}`, /seed .*\(100000 characters\)/],
      [`label=${encodeURIComponent("٧")}`, /label/],
      ["count=%ff", /count/],
      [`${"x".repeat(10_000)}=1`, /unknown query parameter .*\(10000 characters\)/],
    ];
    for (const [query, message] of cases) {
      const res = await call(app, `/sample?${query}`);
      expect(res.status, query.slice(0, 80)).toBe(400);
      const error = await expectJsonError(res, query.slice(0, 80));
      expect(error.message).toMatch(message);
      expect(error.message.length).toBeLessThan(400); // long input is never echoed whole
    }
    const huge = await call(app, "/sample?count=1&seed=1", {
      headers: {
        "If-None-Match": `"${"a".repeat(200_000)}"`,
        Authorization: `Bearer ${"k".repeat(200_000)}`,
      },
    });
    expect(huge.status).toBe(200);
  });
});
