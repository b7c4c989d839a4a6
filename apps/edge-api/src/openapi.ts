/**
 * The OpenAPI 3.1 description of this API, generated from the declarations the code itself runs
 * on: the query parameters from the parser's table (SAMPLE_PARAMETERS, MODEL_PARAMETERS, with
 * the live `count` maximum), the /sample JSON body from its zod schema, the /model body from the
 * manifest's zod schema. What is written here by hand is prose: summaries, status codes, headers.
 */

import { ANIMATE_PARAMETERS } from "@edgegan/shared/animate-query";
import { errorBodySchema, healthBodySchema, modelsBodySchema } from "@edgegan/shared/api-bodies";
import { modelManifestSchema } from "@edgegan/shared/manifest";
import { sampleDocumentSchema } from "@edgegan/shared/sample-document";
import {
  MODEL_PARAMETERS,
  type QueryLimits,
  type QueryParameter,
  SAMPLE_PARAMETERS,
} from "@edgegan/shared/sample-query";
import { z } from "zod";
import type { AppConfig } from "./config.ts";
import { PINNED_MAX_AGE_S, UNPINNED_MAX_AGE_S } from "./sample-cache.ts";

/** A query parameter as OpenAPI describes it. */
function openApiParameter(parameter: QueryParameter, limits: QueryLimits) {
  const { type } = parameter;
  const fallback = parameter.fallback(limits);
  const schema =
    type.kind === "integer"
      ? { type: "integer", minimum: type.min, maximum: type.max(limits) }
      : type.kind === "enum"
        ? { type: "string", enum: [...type.values] }
        : { type: "string", pattern: type.pattern.source };
  return {
    name: parameter.name,
    in: "query",
    description: `${parameter.description} Accepted: ${parameter.accepted(limits)}.`,
    schema: fallback === null ? schema : { ...schema, default: fallback },
    ...(parameter.example !== undefined && { example: parameter.example }),
  };
}

/** JSON Schema (2020-12, as OpenAPI 3.1 uses) of a zod schema, as the server writes the data. */
const jsonSchema = (schema: z.ZodType) =>
  z.toJSONSchema(schema, { io: "output", unrepresentable: "any" }) as Record<string, unknown>;

let bodySchemas: Record<string, Record<string, unknown>> | null = null;

/** The bodies' JSON Schemas: they do not depend on the config, so made once per isolate, when first asked. */
function bodyJsonSchemas(): Record<string, Record<string, unknown>> {
  bodySchemas ??= {
    Error: jsonSchema(errorBodySchema),
    Models: jsonSchema(modelsBodySchema),
    Health: jsonSchema(healthBodySchema),
    Sample: jsonSchema(sampleDocumentSchema),
    Manifest: jsonSchema(modelManifestSchema),
  };
  return bodySchemas;
}

function errorResponse(description: string) {
  return {
    description,
    content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
  };
}

/** Build the OpenAPI document for a configuration. */
export function buildOpenApi(config: AppConfig, serverUrl: string): Record<string, unknown> {
  const secured = config.apiKey !== undefined;
  const security = secured ? [{ bearer: [] }] : [];
  const limits: QueryLimits = { maxCount: config.maxCount };
  const modelParameters = MODEL_PARAMETERS.map((p) => openApiParameter(p, limits));
  return {
    openapi: "3.1.0",
    info: {
      title: "EdgeGAN edge API",
      version: "1.0.0",
      description:
        "Samples from class-conditional GAN generators running on Cloudflare Workers. For a given model version, the same (count, label, seed) always gives byte-identical output.",
    },
    servers: [{ url: serverUrl }],
    paths: {
      "/sample": {
        get: {
          operationId: "getSample",
          summary: "Generate images",
          security,
          parameters: SAMPLE_PARAMETERS.map((p) => openApiParameter(p, limits)),
          responses: {
            "200": {
              description: `Seeded: a strong ETag known before inference (a matching If-None-Match is a 304 without running the model) and Cache-Control max-age=${UNPINNED_MAX_AGE_S}, or max-age=${PINNED_MAX_AGE_S}, immutable with version=; private instead of public when an API key is required. Unseeded: no-store.`,
              headers: {
                ETag: { schema: { type: "string" } },
                "X-Seed": { schema: { type: "integer" } },
                "X-Model": { schema: { type: "string" } },
                "X-Model-Version": { schema: { type: "string" } },
                "X-Cache": {
                  description:
                    "hit: answered from the Workers cache without inference; miss: generated.",
                  schema: { type: "string", enum: ["hit", "miss"] },
                },
              },
              content: {
                "application/json": { schema: { $ref: "#/components/schemas/Sample" } },
                "image/png": { schema: { type: "string", contentMediaType: "image/png" } },
                "image/svg+xml": { schema: { type: "string", contentMediaType: "image/svg+xml" } },
              },
            },
            "304": { description: "If-None-Match matched the ETag." },
            "400": errorResponse(
              "A query parameter is invalid, or parameters conflict (labels or text with count or label, style without a sequence, text for a model whose classes are not the digits); the message names it and the accepted values.",
            ),
            "401": errorResponse("API key missing or wrong."),
            "404": errorResponse(
              "No such model (the message lists the known ones) or version (it names the live one).",
            ),
            "503": errorResponse("The model is not loaded; the message says why."),
          },
        },
      },
      "/animate": {
        get: {
          operationId: "getAnimation",
          summary: "Animated PNG of a walk through latent space",
          security,
          parameters: ANIMATE_PARAMETERS.map((p) => openApiParameter(p, limits)),
          responses: {
            "200": {
              description:
                "An APNG (every current browser plays it) of `frames` images, looping forever; caching, ETag and X-Seed as for /sample.",
              headers: {
                ETag: { schema: { type: "string" } },
                "X-Seed": { schema: { type: "integer" } },
              },
              content: {
                "image/png": { schema: { type: "string", contentMediaType: "image/png" } },
              },
            },
            "304": { description: "If-None-Match matched the ETag." },
            "400": errorResponse(
              "A query parameter is invalid, loop with to equal to seed, or frames * scale^2 over the budget; the message says what is accepted.",
            ),
            "401": errorResponse("API key missing or wrong."),
            "404": errorResponse("No such model or version."),
            "503": errorResponse("The model is not loaded; the message says why."),
          },
        },
      },
      "/models": {
        get: {
          operationId: "listModels",
          summary: "Every model this worker serves, with version, dataset, size and evaluation",
          security,
          responses: {
            "200": {
              description:
                "Every model, with its status (one broken model does not hide the others).",
              content: { "application/json": { schema: { $ref: "#/components/schemas/Models" } } },
            },
            "401": errorResponse("API key missing or wrong."),
          },
        },
      },
      "/model": {
        get: {
          operationId: "getModel",
          summary: "Model card (manifest and evaluation metrics)",
          security,
          parameters: modelParameters,
          responses: {
            "200": {
              description: "The model manifest.",
              content: {
                "application/json": { schema: { $ref: "#/components/schemas/Manifest" } },
              },
            },
            "401": errorResponse("API key missing or wrong."),
            "404": errorResponse("No such model or version."),
            "503": errorResponse("model.json missing or invalid."),
          },
        },
      },
      "/healthz": {
        get: {
          operationId: "getHealth",
          summary: "Liveness of a model's session (default: the default model)",
          parameters: modelParameters,
          responses: {
            "200": {
              description: "The model is loaded.",
              content: { "application/json": { schema: { $ref: "#/components/schemas/Health" } } },
            },
            "503": errorResponse("The model could not be loaded; the message says why."),
          },
        },
      },
      "/openapi.json": {
        get: {
          operationId: "getOpenApi",
          summary: "This document",
          responses: { "200": { description: "OpenAPI 3.1" } },
        },
      },
      "/": {
        get: {
          operationId: "getGallery",
          summary: "Gallery page",
          responses: { "200": { description: "HTML" } },
        },
      },
    },
    components: {
      schemas: {
        ...bodyJsonSchemas(),
      },
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
    },
  };
}
