/**
 * Every route of the API, declared once: path, summary, query table, access, rate limit, the
 * answers its handler gives by status (bodies and headers), and the handler. app.ts registers the
 * routes from this table, the 404 lists its paths, the 405's `Allow` comes from it, and
 * /openapi.json is made from it (openapi.ts); test/openapi-conformance.test.ts runs every
 * route's real answers through that document, so an answer the table does not declare fails.
 */
import {
  ANIMATE_PARAMETERS,
  ANIMATE_QUERY_ERROR_CODES,
  parseAnimateQuery,
} from "@edgegan/shared/animate-query";
import { healthBodySchema, modelCardSchema, modelsBodySchema } from "@edgegan/shared/api-bodies";
import { sampleDocumentSchema } from "@edgegan/shared/sample-document";
import {
  MODEL_PARAMETERS,
  MODEL_QUERY_ERROR_CODES,
  parseModelQuery,
  parseSampleQuery,
  SAMPLE_PARAMETERS,
  SAMPLE_QUERY_ERROR_CODES,
} from "@edgegan/shared/sample-query";
import type { Context } from "hono";
import type { AppEnv } from "../app-env.ts";
import { buildOpenApi, openApiDocumentSchema } from "../openapi.ts";
import { PINNED_MAX_AGE_S, UNPINNED_MAX_AGE_S } from "../sample-cache.ts";
import { sampleLog } from "../sample-log.ts";
import { animateHandler } from "./animate.ts";
import {
  type HeaderDeclaration,
  MODEL_UNAVAILABLE,
  type NamedSchema,
  type ResponseDeclaration,
  type RouteDeclaration,
  route,
  UNKNOWN_MODEL,
} from "./declaration.ts";
import { galleryPage, galleryScript, galleryStyles, pageSecurityHeaders } from "./gallery.ts";
import { healthHandler } from "./health.ts";
import { modelCardHandler } from "./model-card.ts";
import { modelsHandler } from "./models.ts";
import { sampleHandler } from "./sample.ts";

const string = { type: "string" } as const;

/** The headers of a generated answer (/sample, /animate) and of its 304. */
const GENERATED_HEADERS: Record<string, HeaderDeclaration> = {
  "X-Seed": {
    description: "The seed used (the request's, or the one picked).",
    schema: { type: "integer", minimum: 0 },
    required: true,
  },
  "X-Model": { description: "The model that answered.", schema: string, required: true },
  "X-Model-Version": { description: "Its version.", schema: string, required: true },
  "Cache-Control": { schema: string, required: true },
  ETag: { description: "Seeded answers only.", schema: string },
};

/** 200 of a generated answer: its bodies, and whether it came from the cache. */
function generated(description: string, content: ResponseDeclaration["content"]) {
  return {
    description,
    content,
    headers: {
      ...GENERATED_HEADERS,
      "X-Cache": {
        description:
          "Seeded answers only. hit: from the Workers cache without inference; miss: generated.",
        schema: { type: "string", enum: ["hit", "miss"] },
      },
    },
  } satisfies ResponseDeclaration;
}

/** 304 of a seeded answer whose ETag the request already holds. */
const NOT_MODIFIED: ResponseDeclaration = {
  description: "If-None-Match matched the ETag; the model did not run.",
  headers: { ...GENERATED_HEADERS, ETag: { schema: string, required: true } },
};

const CACHE_CONTROL = { "Cache-Control": { schema: string, required: true } };

/** A 200 whose body is JSON of `schema`, named `name` in /openapi.json. */
function jsonAnswer(description: string, name: string, schema: NamedSchema["schema"]) {
  return {
    description,
    content: { "application/json": { name, schema } },
    headers: CACHE_CONTROL,
  } satisfies ResponseDeclaration;
}

/** A page of the gallery: open, with the page security headers. */
function galleryRoute(
  path: string,
  operationId: string,
  summary: string,
  mediaType: string,
  handler: (c: Context<AppEnv>) => Response | Promise<Response>,
): RouteDeclaration {
  return {
    method: "get",
    path,
    operationId,
    summary,
    access: "open",
    middleware: [pageSecurityHeaders],
    responses: {
      200: {
        description: summary,
        content: { [mediaType]: "text" },
        headers: {
          ...CACHE_CONTROL,
          "Content-Security-Policy": {
            description: "Same-origin script, style and fetch only; no framing.",
            schema: string,
            required: true,
          },
        },
      },
    },
    handler,
  };
}

/** The query of /model and /healthz: which model, at which version. */
const MODEL_QUERY = {
  parameters: MODEL_PARAMETERS,
  errors: MODEL_QUERY_ERROR_CODES,
  parse: parseModelQuery,
};

/** The API's routes, in the order the app registers them. */
export const ROUTES: readonly RouteDeclaration[] = [
  route({
    method: "get",
    path: "/sample",
    operationId: "getSample",
    summary: "Generate images",
    query: {
      parameters: SAMPLE_PARAMETERS,
      errors: SAMPLE_QUERY_ERROR_CODES,
      parse: parseSampleQuery,
    },
    access: "key",
    rateLimited: true,
    middleware: [sampleLog],
    responses: {
      200: generated(
        `Seeded: a strong ETag known before inference (a matching If-None-Match is a 304 without running the model) and Cache-Control max-age=${UNPINNED_MAX_AGE_S}, or max-age=${PINNED_MAX_AGE_S}, immutable with version=; private instead of public when an API key is required. Unseeded: no-store.`,
        {
          "application/json": { name: "Sample", schema: sampleDocumentSchema },
          "image/png": "text",
          "image/svg+xml": "text",
        },
      ),
      304: NOT_MODIFIED,
      404: UNKNOWN_MODEL,
      503: MODEL_UNAVAILABLE,
    },
    handler: sampleHandler,
  }),
  route({
    method: "get",
    path: "/animate",
    operationId: "getAnimation",
    summary: "Animated PNG of a walk through latent space",
    query: {
      parameters: ANIMATE_PARAMETERS,
      errors: ANIMATE_QUERY_ERROR_CODES,
      parse: parseAnimateQuery,
    },
    access: "key",
    rateLimited: true,
    middleware: [sampleLog],
    responses: {
      200: generated(
        "An APNG (every current browser plays it) of `frames` images, looping forever; caching, ETag and X-Seed as for /sample.",
        { "image/png": "text" },
      ),
      304: NOT_MODIFIED,
      404: UNKNOWN_MODEL,
      503: MODEL_UNAVAILABLE,
    },
    handler: animateHandler,
  }),
  route({
    method: "get",
    path: "/models",
    operationId: "listModels",
    summary: "Every model this worker serves, with version, dataset, size and evaluation",
    access: "key",
    responses: {
      200: jsonAnswer(
        "Every model, with its status (one broken model does not hide the others).",
        "Models",
        modelsBodySchema,
      ),
    },
    handler: modelsHandler,
  }),
  route({
    method: "get",
    path: "/model",
    operationId: "getModel",
    summary: "Model card (manifest and evaluation metrics)",
    query: MODEL_QUERY,
    access: "key",
    responses: {
      200: jsonAnswer(
        "The model's manifest under its name; eval null when no metrics were merged.",
        "ModelCard",
        modelCardSchema,
      ),
      404: UNKNOWN_MODEL,
      503: MODEL_UNAVAILABLE,
    },
    handler: modelCardHandler,
  }),
  route({
    method: "get",
    path: "/healthz",
    operationId: "getHealth",
    summary: "Liveness of a model's session (default: the default model)",
    query: MODEL_QUERY,
    access: "open",
    responses: {
      200: jsonAnswer("The model is loaded.", "Health", healthBodySchema),
      404: UNKNOWN_MODEL,
      503: MODEL_UNAVAILABLE,
    },
    handler: healthHandler,
  }),
  route({
    method: "get",
    path: "/openapi.json",
    operationId: "getOpenApi",
    summary: "This document (OpenAPI 3.1), made from the route table",
    access: "open",
    responses: {
      200: jsonAnswer("OpenAPI 3.1", "OpenApi", openApiDocumentSchema),
    },
    handler: (c) => {
      const origin = new URL(c.req.url).origin;
      return c.json(buildOpenApi(ROUTES, c.get("config"), origin), 200, {
        "Cache-Control": "no-cache",
      });
    },
  }),
  galleryRoute("/", "getGallery", "Gallery page", "text/html", galleryPage),
  galleryRoute(
    "/gallery.js",
    "getGalleryScript",
    "The gallery's script",
    "text/javascript",
    galleryScript,
  ),
  galleryRoute(
    "/gallery.css",
    "getGalleryStyles",
    "The gallery's stylesheet",
    "text/css",
    galleryStyles,
  ),
];

/** Every path the API answers (the 404 lists them). */
export const ROUTE_PATHS = ROUTES.map((route) => route.path);
