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
import type { AnimateQuery } from "@edgegan/shared/animate-query";
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

/**
 * The canonical spelling of what shapes a seeded answer's bytes (model aside). The options added
 * after RENDER_VERSION 2 (a sequence, resample, colours) are appended only when they differ from
 * their defaults, so a request that sets none keeps its key and ETag; `text` enters as the labels
 * it stands for (text=2026 and labels=2,0,2,6 give the same bytes).
 */
export function canonicalSampleKey(query: SampleQuery, seed: number): string {
  return (
    `render=${RENDER_VERSION}&count=${query.count}&label=${query.label ?? "spread"}&seed=${seed}` +
    `&format=${query.format}&scale=${query.scale}&invert=${query.invert}` +
    `&columns=${query.columns ?? "auto"}&padding=${query.padding}` +
    drawingKey(query)
  );
}

/** The canonical spelling of what shapes an animation's bytes (model aside). */
export function canonicalAnimateKey(query: AnimateQuery, ends: AnimationEnds): string {
  return (
    `render=${RENDER_VERSION}&animate&seed=${ends.seed}&to=${ends.to}&label=${ends.label}` +
    `&to_label=${ends.toLabel}&frames=${query.frames}&fps=${query.fps}&loop=${query.loop}` +
    `&scale=${query.scale}&invert=${query.invert}${drawingKey(query)}`
  );
}

/** The resolved ends of an animation (absent parameters filled in). */
export interface AnimationEnds {
  seed: number;
  to: number;
  label: number;
  toLabel: number;
}

/** The key's part for the options that default to nothing: "" when none is set. */
export function drawingKey(
  query: Pick<SampleQuery, "resample" | "fg" | "bg"> &
    Partial<Pick<SampleQuery, "labels" | "style">>,
): string {
  return (
    (query.labels ? `&labels=${query.labels.join(",")}&style=${query.style}` : "") +
    (query.resample !== "nearest" ? `&resample=${query.resample}` : "") +
    (query.fg !== null ? `&fg=${query.fg}` : "") +
    (query.bg !== null ? `&bg=${query.bg}` : "")
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

/**
 * How long a Cache API operation may take before the worker goes on without it. A lookup in the
 * data centre's cache takes a few ms; one that has not answered by then is treated as a miss
 * (match) or dropped (put), so a slow or stuck cache costs a request at most this much.
 */
export const CACHE_TIMEOUT_MS = 100;

/** `caches.default` where the runtime has it (workerd), else null (plain Node). */
function defaultCache(): Cache | null {
  const storage = (globalThis as { caches?: CacheStorage & { default?: Cache } }).caches;
  return storage?.default ?? null;
}

/** What a failed cache operation logs (one JSON line; Workers Logs keeps it). */
export interface CacheErrorLine {
  event: "cache_error";
  op: "match" | "put";
  error: string;
}

function logCacheError(op: CacheErrorLine["op"], error: unknown): void {
  const line: CacheErrorLine = {
    event: "cache_error",
    op,
    error: error instanceof Error ? error.message : String(error),
  };
  console.error(JSON.stringify(line));
}

/** `operation`, or a rejection once it has taken CACHE_TIMEOUT_MS. */
async function withinTimeout<T>(operation: () => Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not settle within ${CACHE_TIMEOUT_MS} ms`)),
      CACHE_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([operation(), timeout]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/** A stored answer: body bytes and the headers it was stored with. */
export interface CachedAnswer {
  body: ArrayBuffer;
  headers: Headers;
}

/**
 * Look an answer up; null on a miss, when there is no Cache API, and when the cache fails
 * (throws, rejects, answers something other than a stored 200, or takes longer than
 * CACHE_TIMEOUT_MS): a failure is logged as a `cache_error` line and never fails the request.
 */
export async function readCachedAnswer(key: Request): Promise<CachedAnswer | null> {
  try {
    return await withinTimeout(async () => {
      const cache = defaultCache();
      const hit = cache ? await cache.match(key) : undefined;
      if (!hit) return null;
      if (hit.status !== 200) {
        await hit.body?.cancel();
        throw new Error(`the cache answered ${hit.status} for a stored answer`);
      }
      return { body: await hit.arrayBuffer(), headers: hit.headers };
    }, "cache.match");
  } catch (error) {
    logCacheError("match", error);
    return null;
  }
}

/**
 * Store an answer's bytes under `key` (the entry is immutable: its key names the model bytes).
 * A failure or a put slower than CACHE_TIMEOUT_MS is logged (`cache_error`), never thrown.
 * @returns the pending put, for waitUntil (it never rejects); null when there is no Cache API
 */
export function storeAnswer(
  key: Request,
  body: Uint8Array,
  contentType: string,
): Promise<void> | null {
  let cache: Cache | null;
  try {
    cache = defaultCache();
  } catch (error) {
    logCacheError("put", error);
    return null;
  }
  if (!cache) return null;
  const stored = new Response(body, {
    headers: {
      "Content-Type": contentType,
      "Cache-Control": `public, max-age=${PINNED_MAX_AGE_S}, immutable`,
    },
  });
  return withinTimeout(() => cache.put(key, stored), "cache.put").catch((error: unknown) =>
    logCacheError("put", error),
  );
}
