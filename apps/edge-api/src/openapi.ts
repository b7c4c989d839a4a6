/**
 * The OpenAPI 3.1 description of this API, built from the live configuration (the `count`
 * maximum and whether a key is required) and the shared contract constants.
 */

import { NUM_CLASSES } from "@edgegan/shared";
import { MAX_SEED } from "@edgegan/shared/rng";
import type { AppConfig } from "./config.ts";

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
        "Samples from a class-conditional GAN generator running on Cloudflare Workers. The same (count, label, seed) always gives byte-identical output.",
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
          ],
          responses: {
            "200": {
              description:
                "Seeded: strong ETag and Cache-Control public, max-age=31536000, immutable. Unseeded: no-store.",
              headers: {
                ETag: { schema: { type: "string" } },
                "X-Seed": { schema: { type: "integer" } },
                "X-Model-Version": { schema: { type: "string" } },
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
            "503": errorResponse("The model is not loaded; the message says why."),
          },
        },
      },
      "/model": {
        get: {
          operationId: "getModel",
          summary: "Model card (manifest and evaluation metrics)",
          security,
          responses: {
            "200": {
              description: "The model manifest.",
              content: { "application/json": { schema: { type: "object" } } },
            },
            "401": errorResponse("API key missing or wrong."),
            "503": errorResponse("model.json missing or invalid."),
          },
        },
      },
      "/healthz": {
        get: {
          operationId: "getHealth",
          summary: "Liveness of the model session",
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
          required: ["model", "seed", "count", "label", "images"],
          properties: {
            model: {
              type: "object",
              properties: { version: { type: "string" }, sha256: { type: "string" } },
            },
            seed: { type: "integer" },
            count: { type: "integer" },
            label: { type: ["integer", "null"] },
            images: {
              type: "array",
              items: {
                type: "object",
                required: ["index", "label", "className", "seed", "png"],
                properties: {
                  index: { type: "integer" },
                  label: { type: "integer" },
                  className: { type: "string" },
                  seed: {
                    type: "integer",
                    description: "count=1&label=<label>&seed=<seed> regenerates this image.",
                  },
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
