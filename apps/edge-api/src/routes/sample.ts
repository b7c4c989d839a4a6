/**
 * GET /sample: validate the query, resolve the model, answer from what is already known when
 * possible (a 304 for a matching ETag, a Cache API hit), and only then plan seeded latents, run
 * the generator and render JSON or PNG.
 *
 * Seeded answers are byte-deterministic for a given model: their ETag is computed from the
 * model's sha256 and version and the canonical query before any inference. Caching rules are
 * in sample-cache.ts. Unseeded answers pick a random seed, report it, and are never cached.
 */
import { randomSeed } from "@edgegan/shared/rng";
import { buildGeneratorInputs, planSample } from "@edgegan/shared/sample-plan";
import { parseSampleQuery, type SampleQuery } from "@edgegan/shared/sample-query";
import type { Context } from "hono";
import type { AppEnv } from "../app-env.ts";
import { errorResponse } from "../errors.ts";
import { answerEtag, ifNoneMatchHits } from "../etag.ts";
import { type Generator, ModelUnavailableError } from "../inference.ts";
import { createPhaseTimer } from "../phase-timings.ts";
import {
  answerCacheKey,
  canonicalSampleKey,
  readCachedAnswer,
  sampleCacheControl,
  storeAnswer,
} from "../sample-cache.ts";
import { renderSampleJson, renderSamplePng, renderSampleSvg } from "../sample-render.ts";
import { resolveModel } from "./resolve-model.ts";

/** Content-Type of each format. */
const CONTENT_TYPES: Record<SampleQuery["format"], string> = {
  json: "application/json; charset=utf-8",
  png: "image/png",
  svg: "image/svg+xml",
};

/** Whether a model's classes are the digits 0-9, in order (what `text` needs). */
export function hasDigitClasses(manifest: Generator["manifest"]): boolean {
  return manifest.dataset.classNames.every((name, i) => name === String(i));
}

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

/** Handler for GET /sample. */
export async function sampleHandler(c: Context<AppEnv>): Promise<Response> {
  const config = c.get("config");
  const url = new URL(c.req.url);
  const parsed = parseSampleQuery(url.searchParams, { maxCount: config.maxCount });
  if (!parsed.ok) return errorResponse(400, parsed.error.code, parsed.error.message);
  const query = parsed.value;
  const seeded = query.seed !== null;
  const seed = query.seed ?? randomSeed();
  const log = c.get("sampleLog");
  Object.assign(log, { count: query.count, scale: query.scale, format: query.format });

  const model = await resolveModel(c, query.model, query.version);
  if (model instanceof Response) return model;
  log.model = model.name;
  let manifest: Generator["manifest"];
  try {
    manifest = await model.holder.verifiedManifest();
  } catch (error) {
    return modelUnavailable(error);
  }
  log.version = manifest.version;
  if (query.text !== null && !hasDigitClasses(manifest)) {
    return errorResponse(
      400,
      "invalid_text",
      `text needs a model whose classes are the digits 0-9; model "${model.name}" has classes ${manifest.dataset.classNames.map((name, i) => `${i} (${name})`).join(", ")}: ask with labels=... (class numbers, comma-separated) instead`,
    );
  }

  const headers: Record<string, string> = {
    "Content-Type": CONTENT_TYPES[query.format],
    "X-Seed": String(seed),
    "X-Model": model.name,
    "X-Model-Version": manifest.version,
    "Cache-Control": sampleCacheControl({
      seeded,
      pinned: query.version !== null,
      apiKeyRequired: config.apiKey !== undefined,
    }),
  };

  // Seeded: everything below the model is known before inference.
  const canonical = canonicalSampleKey(query, seed);
  const cacheKey = answerCacheKey(manifest.onnx.sha256, canonical);
  if (seeded) {
    headers.ETag = await answerEtag({
      modelSha256: manifest.onnx.sha256,
      modelVersion: manifest.version,
      query: canonical,
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
  const plan = planSample({ ...query, seed });
  const inputs = buildGeneratorInputs(plan);
  phases.end("inputs");
  const output = await generator.run(inputs.z, inputs.label, plan.length);
  phases.end("inference");
  const body =
    query.format === "png"
      ? renderSamplePng(output, plan.length, query)
      : query.format === "svg"
        ? renderSampleSvg(output, plan.length, query)
        : renderSampleJson(generator.manifest, query, seed, plan, output);
  phases.end("encode");
  log.inferenceMs = phases.ms("inference");
  log.encodeMs = phases.ms("encode");
  const serverTiming = phases.serverTiming();
  if (serverTiming) headers["Server-Timing"] = serverTiming;
  log.cache = seeded ? "miss" : "none";
  if (seeded) {
    await afterResponse(c, storeAnswer(cacheKey, body, headers["Content-Type"] as string));
    headers["X-Cache"] = "miss";
  }
  return new Response(body, { status: 200, headers });
}
