/**
 * Caching of seeded /sample answers: the HTTP caching headers a client gets, and the Workers
 * Cache API (`caches.default`) so that a repeated seeded request never runs the model twice in a
 * data centre.
 *
 * - `version=V` pins the model: the bytes can never change, so `immutable` for a year.
 * - Unpinned seeded answers change when the model is updated: a short max-age plus the ETag,
 *   so an update shows within minutes and revalidation costs a 304, not an inference.
 * - With an API key configured the answer is `private`: no shared cache in front of the worker
 *   may hand it to a client without the key. The worker's own Cache API entry is keyed by the
 *   model's sha256 and the canonical query only (never by Authorization) and is read only after
 *   the key check passed, so it serves authorised clients alone.
 * - Unseeded answers are random: `no-store`.
 */
import type { SampleQuery } from "@edgegan/shared/sample-query";

/** Seconds an unpinned seeded answer may be reused before revalidation. */
export const UNPINNED_MAX_AGE_S = 300;
/** A year: pinned answers never change. */
export const PINNED_MAX_AGE_S = 31_536_000;

/**
 * Version of the response rendering (JSON fields, PNG layout): part of every answer's identity,
 * so a deploy that changes the bytes of an answer also changes its ETag and cache key. Bump it
 * with any change to sample-render.ts or the tile drawing.
 */
export const RENDER_VERSION = 2;

/** The canonical spelling of what shapes a seeded answer's bytes (model aside). */
export function canonicalSampleKey(query: SampleQuery, seed: number): string {
  return (
    `render=${RENDER_VERSION}&count=${query.count}&label=${query.label ?? "spread"}&seed=${seed}` +
    `&format=${query.format}&scale=${query.scale}&invert=${query.invert}` +
    `&columns=${query.columns ?? "auto"}&padding=${query.padding}`
  );
}

/** Cache-Control for an answer. */
export function sampleCacheControl(options: {
  seeded: boolean;
  pinned: boolean;
  apiKeyRequired: boolean;
}): string {
  if (!options.seeded) return "no-store";
  const scope = options.apiKeyRequired ? "private" : "public";
  return options.pinned
    ? `${scope}, max-age=${PINNED_MAX_AGE_S}, immutable`
    : `${scope}, max-age=${UNPINNED_MAX_AGE_S}`;
}

/**
 * The Cache API key of an answer: a synthetic URL of the model's sha256 and the canonical query,
 * so equal bytes share one entry whatever the request's spelling, host or headers.
 */
export function answerCacheKey(modelSha256: string, canonicalQuery: string): Request {
  return new Request(`https://answers.edgegan.internal/${modelSha256}?${canonicalQuery}`);
}

/** `caches.default` where the runtime has it (workerd), else null (plain Node). */
function defaultCache(): Cache | null {
  const storage = (globalThis as { caches?: CacheStorage & { default?: Cache } }).caches;
  return storage?.default ?? null;
}

/** A stored answer: body bytes and the headers it was stored with. */
export interface CachedAnswer {
  body: ArrayBuffer;
  headers: Headers;
}

/** Look an answer up; null on a miss or when there is no Cache API. */
export async function readCachedAnswer(key: Request): Promise<CachedAnswer | null> {
  const cache = defaultCache();
  const hit = cache ? await cache.match(key) : undefined;
  if (!hit) return null;
  return { body: await hit.arrayBuffer(), headers: hit.headers };
}

/**
 * Store an answer's bytes under `key` (the entry is immutable: its key names the model bytes).
 * @returns the pending put, for waitUntil; null when there is no Cache API
 */
export function storeAnswer(
  key: Request,
  body: Uint8Array,
  contentType: string,
): Promise<void> | null {
  const cache = defaultCache();
  if (!cache) return null;
  const stored = new Response(body, {
    headers: {
      "Content-Type": contentType,
      "Cache-Control": `public, max-age=${PINNED_MAX_AGE_S}, immutable`,
    },
  });
  return cache.put(key, stored);
}
