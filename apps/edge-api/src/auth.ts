/**
 * Optional API key: when the `API_KEY` secret is set, requests need `Authorization: Bearer <key>`.
 * Keys are compared as SHA-256 digests with a constant-time loop, so neither the key's length
 * nor the position of the first wrong character leaks through timing.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./app-env.ts";
import { errorResponse } from "./errors.ts";

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

/** Constant-time equality of two strings (via their SHA-256 digests). */
export async function safeEqual(a: string, b: string): Promise<boolean> {
  const [da, db] = await Promise.all([digest(a), digest(b)]);
  let diff = 0;
  for (let i = 0; i < da.length; i++) diff |= (da[i] as number) ^ (db[i] as number);
  return diff === 0;
}

/** Middleware: 401 unless the configured key (if any) is presented as a Bearer token. */
export const requireApiKey: MiddlewareHandler<AppEnv> = async (c, next) => {
  const expected = c.get("config").apiKey;
  if (expected === undefined) return next();
  const header = c.req.header("Authorization") ?? "";
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match || !(await safeEqual(match[1] as string, expected))) {
    return errorResponse(
      401,
      "unauthorized",
      match
        ? "the API key is wrong; send Authorization: Bearer <API key>"
        : "this API needs a key; send Authorization: Bearer <API key>",
      { "WWW-Authenticate": 'Bearer realm="edgegan"' },
    );
  }
  return next();
};
