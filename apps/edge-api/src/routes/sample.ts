/**
 * GET /sample: validate the query, plan seeded latents, run the generator, answer JSON or PNG.
 * Seeded answers are byte-deterministic: strong ETag + a year of immutable caching.
 * Unseeded answers pick a random seed, report it, and are never cached.
 */
import { randomSeed } from "@edgegan/shared/rng";
import { buildGeneratorInputs, planSample } from "@edgegan/shared/sample-plan";
import { parseSampleQuery } from "@edgegan/shared/sample-query";
import type { Context } from "hono";
import type { AppEnv } from "../app-env.ts";
import { errorResponse } from "../errors.ts";
import { ifNoneMatchHits, strongEtag } from "../etag.ts";
import { type Generator, ModelUnavailableError } from "../inference.ts";
import { renderSampleJson, renderSamplePng } from "../sample-render.ts";

/** Cache-Control for seeded (deterministic) responses. */
export const IMMUTABLE = "public, max-age=31536000, immutable";

/** Answer a ModelUnavailableError as 503 JSON; rethrow anything else. */
export function modelUnavailable(error: unknown): Response {
  if (error instanceof ModelUnavailableError) {
    return errorResponse(503, "model_unavailable", error.message, { "Retry-After": "60" });
  }
  throw error;
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

  let generator: Generator;
  try {
    generator = await c.get("generator").get();
  } catch (error) {
    return modelUnavailable(error);
  }

  const plan = planSample({ count: query.count, label: query.label, seed });
  const inputs = buildGeneratorInputs(plan);
  const output = await generator.run(inputs.z, inputs.label, plan.length);
  const png = query.format === "png";
  const body = png
    ? renderSamplePng(output, plan.length)
    : renderSampleJson(generator.manifest, query, seed, plan, output);

  const headers: Record<string, string> = {
    "Content-Type": png ? "image/png" : "application/json; charset=utf-8",
    "X-Seed": String(seed),
    "X-Model-Version": generator.manifest.version,
  };
  if (!seeded) {
    headers["Cache-Control"] = "no-store";
    return new Response(body, { status: 200, headers });
  }
  const etag = await strongEtag(body);
  headers["Cache-Control"] = IMMUTABLE;
  headers.ETag = etag;
  if (ifNoneMatchHits(c.req.header("If-None-Match"), etag)) {
    return new Response(null, { status: 304, headers });
  }
  return new Response(body, { status: 200, headers });
}
