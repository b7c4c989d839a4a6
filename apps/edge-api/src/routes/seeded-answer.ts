/**
 * The path every generated answer (/sample, /animate) takes once its query is valid: resolve the
 * model, answer from what is already known when possible (a 304 for a matching ETag, a Cache API
 * hit), and only then run the generator and render the body.
 *
 * Seeded answers are byte-deterministic for a given model: their ETag is computed from the
 * model's sha256 and version and the canonical query before any inference. Caching rules are
 * in sample-cache.ts. Unseeded answers pick a random seed, report it, and are never cached.
 */
import type { Context } from "hono";
import type { AppEnv } from "../app-env.ts";
import { sampleCacheTags } from "../cache-tags.ts";
import { errorResponse } from "../errors.ts";
import { answerEtag, ifNoneMatchHits } from "../etag.ts";
import { type Generator, ModelUnavailableError } from "../inference.ts";
import { createPhaseTimer } from "../phase-timings.ts";
import {
  answerCacheKey,
  readCachedAnswer,
  sampleCacheControl,
  storeAnswer,
} from "../sample-cache.ts";
import { resolveModel } from "./resolve-model.ts";

/** Answer a ModelUnavailableError as 503 JSON; rethrow anything else. */
export function modelUnavailable(error: unknown): Response {
  if (error instanceof ModelUnavailableError) {
    return errorResponse(503, "model_unavailable", error.message, { "Retry-After": "60" });
  }
  throw error;
}

/** Run `pending` after the response when the runtime allows (waitUntil), else now. */
async function afterResponse(c: Context<AppEnv>, pending: Promise<void> | null): Promise<void> {
  if (!pending) return;
  let ctx: ExecutionContext | undefined;
  try {
    ctx = c.executionCtx as ExecutionContext;
  } catch {
    ctx = undefined; // app.request() in tests has no execution context
  }
  if (ctx) ctx.waitUntil(pending.catch(() => undefined));
  else await pending.catch(() => undefined);
}

/** What one generated answer needs: which model, its seed, its identity and how to draw it. */
export interface AnswerSpec {
  model: string | null;
  version: string | null;
  /** The seed the answer uses (the request's, or a random one); `seeded`: the request gave it. */
  seed: number;
  seeded: boolean;
  contentType: string;
  /** The canonical spelling of what shapes the bytes (model aside): ETag and cache key. */
  canonical: string;
  /** A refusal that needs the model's manifest (e.g. text for a non-digit model), or null. */
  refuse?: (manifest: Generator["manifest"], modelName: string) => Response | null;
  /** The generator's inputs: z [count, 100], one-hot (or mixed) labels [count, 10]. */
  inputs(manifest: Generator["manifest"]): { z: Float32Array; label: Float32Array; count: number };
  /** The body from the generator's output float32 [count, 1, 28, 28]. */
  render(output: Float32Array, manifest: Generator["manifest"]): Uint8Array;
}

/** Answer a valid request: 200 (generated or from the cache), 304, or the model's 404/503. */
export async function seededAnswer(c: Context<AppEnv>, spec: AnswerSpec): Promise<Response> {
  const config = c.get("config");
  const log = c.get("sampleLog");
  const model = await resolveModel(c, spec.model, spec.version);
  if (model instanceof Response) return model;
  log.model = model.name;
  let manifest: Generator["manifest"];
  try {
    manifest = await model.holder.verifiedManifest();
  } catch (error) {
    return modelUnavailable(error);
  }
  log.version = manifest.version;
  const refusal = spec.refuse?.(manifest, model.name) ?? null;
  if (refusal) return refusal;

  const headers: Record<string, string> = {
    "Content-Type": spec.contentType,
    "X-Seed": String(spec.seed),
    "X-Model": model.name,
    "X-Model-Version": manifest.version,
    "Cache-Control": sampleCacheControl({
      seeded: spec.seeded,
      pinned: spec.version !== null,
      apiKeyRequired: config.apiKey !== undefined,
    }),
  };

  // Seeded: everything below the model is known before inference.
  const cacheKey = answerCacheKey(manifest.onnx.sha256, spec.canonical);
  if (spec.seeded) {
    // the Workers Cache groups entries by these tags, for purges by model (cache-tags.ts)
    headers["Cache-Tag"] = sampleCacheTags(model.name, manifest.version, spec.version !== null);
    headers.ETag = await answerEtag({
      modelSha256: manifest.onnx.sha256,
      modelVersion: manifest.version,
      query: spec.canonical,
    });
    if (ifNoneMatchHits(c.req.header("If-None-Match"), headers.ETag)) {
      log.cache = "revalidated";
      return new Response(null, { status: 304, headers });
    }
    const cached = await readCachedAnswer(cacheKey);
    if (cached) {
      log.cache = "hit";
      return new Response(cached.body, { status: 200, headers: { ...headers, "X-Cache": "hit" } });
    }
  }

  let generator: Generator;
  try {
    generator = await model.holder.get();
  } catch (error) {
    return modelUnavailable(error);
  }
  const phases = createPhaseTimer(config.localTimings); // real only where the clock runs (local)
  phases.start();
  const inputs = spec.inputs(generator.manifest);
  phases.end("inputs");
  const output = await generator.run(inputs.z, inputs.label, inputs.count);
  phases.end("inference");
  const body = spec.render(output, generator.manifest);
  phases.end("encode");
  log.inferenceMs = phases.ms("inference");
  log.encodeMs = phases.ms("encode");
  const serverTiming = phases.serverTiming();
  if (serverTiming) headers["Server-Timing"] = serverTiming;
  log.cache = spec.seeded ? "miss" : "none";
  if (spec.seeded) {
    await afterResponse(c, storeAnswer(cacheKey, body, spec.contentType));
    headers["X-Cache"] = "miss";
  }
  return new Response(body, { status: 200, headers });
}
