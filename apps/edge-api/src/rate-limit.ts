/**
 * Rate limit of GET /sample and /animate with the Workers Rate Limiting binding (`RATE_LIMITER` in
 * wrangler.jsonc): per API key when one is configured (every caller holding the key shares its
 * budget), else per client IP (CF-Connecting-IP). Over the limit: 429 JSON with Retry-After.
 * Without the binding (a config that omits it) nothing is limited.
 *
 * The key is never used as the limiter's key itself: a digest stands in for it, so it shows up
 * in no dashboard or log.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./app-env.ts";
import { errorResponse } from "./errors.ts";

/**
 * The period of the `RATE_LIMITER` binding in wrangler.jsonc (seconds): a refused client may
 * retry after it. Keep in step with `simple.period` there.
 */
export const RATE_LIMIT_PERIOD_S = 60;

async function keyDigest(apiKey: string): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`edgegan-rate-limit:${apiKey}`)),
  );
  return Array.from(digest.subarray(0, 12), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Middleware: 429 when this caller used up its budget for the period. */
export const rateLimit: MiddlewareHandler<AppEnv> = async (c, next) => {
  const limiter = c.env.RATE_LIMITER as RateLimit | undefined;
  if (!limiter) return next();
  const apiKey = c.get("config").apiKey;
  const caller = apiKey
    ? { kind: "API key", key: `key:${await keyDigest(apiKey)}` }
    : { kind: "client IP", key: `ip:${c.req.header("CF-Connecting-IP") ?? "unknown"}` };
  const { success } = await limiter.limit({ key: caller.key });
  if (!success) {
    return errorResponse(
      429,
      "rate_limited",
      `too many ${c.req.path} requests for this ${caller.kind}; retry after ${RATE_LIMIT_PERIOD_S} s`,
      { "Retry-After": String(RATE_LIMIT_PERIOD_S) },
    );
  }
  return next();
};
