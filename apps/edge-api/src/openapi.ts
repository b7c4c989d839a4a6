/**
 * The OpenAPI 3.1 description of this API, built from the live configuration (the `count`
 * maximum and whether a key is required) and the shared contract constants.
 */

import { NUM_CLASSES } from "@edgegan/shared";
import { MAX_SEED } from "@edgegan/shared/rng";
import {
  MAX_SCALED_TILES,
  MODEL_NAME_PATTERN,
  MODEL_VERSION_PATTERN,
  TILE_OPTIONS,
} from "@edgegan/shared/sample-query";
import type { AppConfig } from "./config.ts";
import { PINNED_MAX_AGE_S, UNPINNED_MAX_AGE_S } from "./sample-cache.ts";

/** The `model` and `version` query parameters, shared by /sample, /model and /healthz. */
const modelParameters = [
  {
    name: "model",
    in: "query",
    description: "Model name (GET /models lists them); absent: the default model.",
    schema: { type: "string", pattern: MODEL_NAME_PATTERN.source },
    example: "fashion-mnist",
  },
  {
    name: "version",
    in: "query",
    description:
      "Pin the model version (as GET /models shows it): the answer then never changes and is cacheable for a year. A version the worker does not have is a 404 naming the live one.",
    schema: { type: "string", pattern: MODEL_VERSION_PATTERN.source },
  },
];

const errorSchema = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: { code: { type: "string" }, message: { type: "string" } },
    },
  },
} as const;

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
          parameters: [
            {
              name: "count",
              in: "query",
              description: "Number of images.",
              schema: { type: "integer", minimum: 1, maximum: config.maxCount, default: 16 },
            },
            {
              name: "label",
              in: "query",
              description: "Class of every image; absent spreads the images over the classes.",
              schema: { type: "integer", minimum: 0, maximum: NUM_CLASSES - 1 },
            },
            {
              name: "seed",
              in: "query",
              description:
                "Unsigned 32-bit seed; absent picks a random one (returned in the body and X-Seed).",
              schema: { type: "integer", minimum: 0, maximum: MAX_SEED },
            },
            {
              name: "format",
              in: "query",
              schema: { type: "string", enum: ["json", "png"], default: "json" },
            },
            ...modelParameters,
            {
              name: "scale",
              in: "query",
              description: `Nearest-neighbour upscaling of every tile (28 px -> 28 * scale px), in the PNG sheet and the JSON data URLs alike. count * scale^2 may not exceed ${MAX_SCALED_TILES}.`,
              schema: {
                type: "integer",
                minimum: TILE_OPTIONS.scale.min,
                maximum: TILE_OPTIONS.scale.max,
                default: TILE_OPTIONS.scale.default,
              },
              example: 8,
            },
            {
              name: "invert",
              in: "query",
              description: "true: dark images on a light background.",
              schema: { type: "string", enum: ["true", "false"], default: "false" },
            },
            {
              name: "columns",
              in: "query",
              description: "Tiles per row of the PNG sprite sheet; absent: ceil(sqrt(count)).",
              schema: {
                type: "integer",
                minimum: TILE_OPTIONS.columns.min,
                maximum: TILE_OPTIONS.columns.max,
              },
            },
            {
              name: "padding",
              in: "query",
              description: "Pixels between the tiles of the sprite sheet.",
              schema: {
                type: "integer",
                minimum: TILE_OPTIONS.padding.min,
                maximum: TILE_OPTIONS.padding.max,
                default: TILE_OPTIONS.padding.default,
              },
            },
          ],
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
              },
            },
            "304": { description: "If-None-Match matched the ETag." },
            "400": errorResponse(
              "A query parameter is invalid; the message names it and the accepted values.",
            ),
            "401": errorResponse("API key missing or wrong."),
            "404": errorResponse(
              "No such model (the message lists the known ones) or version (it names the live one).",
            ),
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
                "{ default, models: [{ name, default, source, status, reason?, version, dataset, arch, generatorWidth, onnx, eval }] }",
              content: { "application/json": { schema: { type: "object" } } },
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
              content: { "application/json": { schema: { type: "object" } } },
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
              content: { "application/json": { schema: { type: "object" } } },
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
        Error: errorSchema,
        Sample: {
          type: "object",
          required: ["model", "seed", "count", "label", "scale", "invert", "sprite", "images"],
          properties: {
            model: {
              type: "object",
              properties: { version: { type: "string" }, sha256: { type: "string" } },
            },
            seed: { type: "integer" },
            count: { type: "integer" },
            label: { type: ["integer", "null"] },
            scale: { type: "integer" },
            invert: { type: "boolean" },
            sprite: {
              type: "object",
              description:
                "The layout of the PNG sprite sheet that format=png gives for the same query: tile i lies at (images[i].x, images[i].y), tileSize x tileSize.",
              properties: {
                width: { type: "integer" },
                height: { type: "integer" },
                columns: { type: "integer" },
                rows: { type: "integer" },
                tileSize: { type: "integer" },
                padding: { type: "integer" },
              },
            },
            images: {
              type: "array",
              items: {
                type: "object",
                required: ["index", "label", "className", "seed", "x", "y", "png"],
                properties: {
                  index: { type: "integer" },
                  label: { type: "integer" },
                  className: { type: "string" },
                  seed: {
                    type: "integer",
                    description: "count=1&label=<label>&seed=<seed> regenerates this image.",
                  },
                  x: {
                    type: "integer",
                    description: "Left edge of this tile in the sprite sheet.",
                  },
                  y: { type: "integer", description: "Top edge of this tile in the sprite sheet." },
                  png: { type: "string", description: "data:image/png;base64,..." },
                },
              },
            },
          },
        },
      },
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
    },
  };
}
