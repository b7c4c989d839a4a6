/**
 * Workers Cache (wrangler.jsonc `cache.enabled`): Cloudflare keeps cacheable GET/HEAD answers in
 * front of the Worker and serves hits without running it. Each seeded /sample answer carries
 * `Cache-Tag`s naming its model, so entries can be purged by model:
 *
 *   model:NAME            every answer of the model
 *   model:NAME@VERSION    the answers of one version (e.g. a version withdrawn from the bucket)
 *   model:NAME:live       the unpinned answers, whose bytes follow the `live` pointer
 *
 * When an isolate sees a model's `live` pointer move (a release or rollback in R2, made outside
 * the worker), it purges `model:NAME:live`: pinned answers stay (their bytes never change), the
 * unpinned ones are made again from the new live version. The purge runs after the answer
 * (waitUntil) and its failure is only logged: a cache never fails a request. Cloudflare removes
 * `Cache-Tag` before an answer reaches the client.
 */

/** The `Cache-Tag` value of an answer of `name` at `version` (pinned: asked with version=). */
export function sampleCacheTags(name: string, version: string, pinned: boolean): string {
  const tags = [`model:${name}`, `model:${name}@${version}`];
  if (!pinned) tags.push(liveTag(name));
  return tags.join(",");
}

/** The tag of a model's unpinned answers. */
export function liveTag(name: string): string {
  return `model:${name}:live`;
}

/** The runtime's Workers Cache handle, where it has one (deployed Workers; not Miniflare). */
interface PurgeContext {
  waitUntil(promise: Promise<unknown>): void;
  cache?: { purge(options: { tags: string[] }): Promise<{ success: boolean; errors: unknown[] }> };
}

/**
 * Purge the unpinned answers of `name` after the response, because its live version moved.
 * @returns what was done, for the log: "purged", "no-cache" (no Workers Cache here) or "failed"
 */
export function purgeLiveAnswers(
  ctx: PurgeContext | undefined,
  name: string,
  moved: { from: string; to: string },
): Promise<"purged" | "no-cache" | "failed"> {
  const purge = ctx?.cache?.purge;
  if (!ctx || !purge) return Promise.resolve("no-cache");
  const done = Promise.resolve()
    .then(() => purge.call(ctx.cache, { tags: [liveTag(name)] }))
    .then((result) => {
      if (result.success) return "purged" as const;
      throw new Error(JSON.stringify(result.errors));
    })
    .catch((error: unknown) => {
      console.warn(
        JSON.stringify({
          event: "cache_purge_failed",
          model: name,
          from: moved.from,
          to: moved.to,
          error: error instanceof Error ? error.message : String(error),
        }),
      );
      return "failed" as const;
    });
  ctx.waitUntil(done);
  return done;
}
