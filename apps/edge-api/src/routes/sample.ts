/**
 * GET /sample, its query already valid (SAMPLE_PARAMETERS, parsed by the app from the route
 * table): answer through seededAnswer (model, ETag, 304, cache,
 * inference): plan seeded latents and render JSON, PNG or SVG.
 */
import { randomSeed } from "@edgegan/shared/rng";
import { buildGeneratorInputs, planSample } from "@edgegan/shared/sample-plan";
import type { SampleQuery } from "@edgegan/shared/sample-query";
import type { Context } from "hono";
import type { AppEnv } from "../app-env.ts";
import { errorResponse } from "../errors.ts";
import type { Generator } from "../inference.ts";
import { canonicalSampleKey } from "../sample-cache.ts";
import { renderSampleJson, renderSamplePng, renderSampleSvg } from "../sample-render.ts";
import { seededAnswer } from "./seeded-answer.ts";

/** Content-Type of each format. */
const CONTENT_TYPES: Record<SampleQuery["format"], string> = {
  json: "application/json; charset=utf-8",
  png: "image/png",
  svg: "image/svg+xml",
};

/** Whether a model's classes are the digits 0-9, in order (what `text` needs). */
export function hasDigitClasses(manifest: Generator["manifest"]): boolean {
  const names = manifest.dataset.classNames;
  return names.length === 10 && names.every((name, i) => name === String(i));
}

/** `text` asked of a model whose classes are not the digits: a 400 naming its classes. */
function refuseText(query: SampleQuery) {
  return (manifest: Generator["manifest"], modelName: string): Response | null => {
    if (query.text === null || hasDigitClasses(manifest)) return null;
    return errorResponse(
      400,
      "invalid_text",
      `text needs a model whose classes are the digits 0-9; model "${modelName}" has classes ${manifest.dataset.classNames.map((name, i) => `${i} (${name})`).join(", ")}: ask with labels=... (class numbers, comma-separated) instead`,
    );
  };
}

/**
 * A label past the model's classes (a model trained on fewer than 10): a 400 naming its classes.
 * Without a label, images spread over the model's own classes (planSample's classCount).
 */
export function refuseLabels(query: Pick<SampleQuery, "label" | "labels">) {
  return (manifest: Generator["manifest"], modelName: string): Response | null => {
    const classes = manifest.dataset.classNames;
    const asked = [...(query.label === null ? [] : [query.label]), ...(query.labels ?? [])];
    const past = asked.find((label) => label >= classes.length);
    if (past === undefined) return null;
    return errorResponse(
      400,
      "invalid_label",
      `model "${modelName}" has ${classes.length} classes, ${classes.map((name, i) => `${i} (${name})`).join(", ")}; label ${past} is not one of them`,
    );
  };
}

/** Handler for GET /sample. */
export async function sampleHandler(c: Context<AppEnv>, query: SampleQuery): Promise<Response> {
  const seed = query.seed ?? randomSeed();
  Object.assign(c.get("sampleLog"), {
    count: query.count,
    scale: query.scale,
    format: query.format,
  });
  // the plan depends on the model's class count, known once the model is resolved
  let plan: ReturnType<typeof planSample> = [];
  const planFor = (manifest: Generator["manifest"]) => {
    plan = planSample({ ...query, seed, classCount: manifest.dataset.classNames.length });
    return plan;
  };
  return seededAnswer(c, {
    model: query.model,
    version: query.version,
    seed,
    seeded: query.seed !== null,
    contentType: CONTENT_TYPES[query.format],
    canonical: canonicalSampleKey(query, seed),
    refuse: (manifest, modelName) =>
      refuseText(query)(manifest, modelName) ?? refuseLabels(query)(manifest, modelName),
    inputs: (manifest) => {
      const planned = planFor(manifest);
      return { ...buildGeneratorInputs(planned), count: planned.length };
    },
    render: (output, manifest) =>
      query.format === "png"
        ? renderSamplePng(output, plan.length, query)
        : query.format === "svg"
          ? renderSampleSvg(output, plan.length, query)
          : renderSampleJson(manifest, query, seed, plan, output),
  });
}
