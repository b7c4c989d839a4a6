/**
 * The JSON bodies of the edge API's answers other than /sample's (sample-document.ts), declared
 * once as zod schemas, and the closed list of its error codes: the worker's handlers build these
 * types, /openapi.json describes them from these schemas, and the tests check real answers
 * against that document.
 */
import { z } from "zod";
import { ANIMATE_QUERY_ERROR_CODES } from "./animate-query.ts";
import { modelManifestSchema } from "./manifest.ts";
import { MODEL_QUERY_ERROR_CODES, SAMPLE_QUERY_ERROR_CODES } from "./sample-query.ts";

/** The codes of the answers that are not about the query string. */
const SERVER_ERROR_CODES = [
  "unauthorized",
  "rate_limited",
  "not_found",
  "method_not_allowed",
  "unknown_model",
  "unknown_version",
  "model_unavailable",
  "server_misconfigured",
  "internal_error",
] as const;

/**
 * Every error code of the API, a closed list: the query parsers' own (each parameter's
 * `invalid_<name>`, unknown and repeated names, their checks across parameters) and the server's.
 */
export const API_ERROR_CODES = [
  ...new Set([
    ...SAMPLE_QUERY_ERROR_CODES,
    ...ANIMATE_QUERY_ERROR_CODES,
    ...MODEL_QUERY_ERROR_CODES,
    ...SERVER_ERROR_CODES,
  ]),
];
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

/** Every error: `{"error": {"code", "message"}}`, the message naming what was wrong. */
export const errorBodySchema = z
  .object({
    error: z.object({ code: z.enum(API_ERROR_CODES), message: z.string() }).strict(),
  })
  .strict();

/** GET /model: the model's manifest under its name, `eval` null when no metrics were merged in. */
export const modelCardSchema = modelManifestSchema.extend({
  name: z.string().meta({ description: "The model's name, as GET /models lists it." }),
  eval: modelManifestSchema.shape.eval.unwrap().nullable(),
});

/** One model of GET /models. */
export const modelListingSchema = z
  .object({
    name: z.string(),
    default: z.boolean(),
    source: z.enum(["bundle", "r2"]),
    status: z.enum(["ok", "unavailable"]),
    reason: z.string().optional().meta({ description: "Why it cannot be served (unavailable)." }),
    version: z.string().optional(),
    dataset: z.object({ name: z.string(), classNames: z.array(z.string()) }).optional(),
    arch: z.string().optional(),
    generatorWidth: modelManifestSchema.shape.generatorWidth,
    onnx: z.object({ bytes: z.number().int(), sha256: z.string(), weights: z.string() }).optional(),
    eval: z.record(z.string(), z.unknown()).nullable().optional().meta({
      description:
        "Frechet distance (with its floor), label accuracy and coverage from `npm run eval`, or null.",
    }),
  })
  .strict();

/** GET /models. */
export const modelsBodySchema = z
  .object({ default: z.string(), models: z.array(modelListingSchema) })
  .strict();

/** GET /healthz when the model's session exists. */
export const healthBodySchema = z
  .object({
    status: z.literal("ok"),
    model: z.object({ name: z.string(), version: z.string(), sha256: z.string() }).strict(),
    sessionLoadMs: z.number().meta({ description: "How long creating the session took." }),
    deploy: z
      .object({
        id: z.string().meta({ description: "The Worker version's id (wrangler versions list)." }),
        tag: z.string().meta({ description: "Its tag (empty when uploaded without one)." }),
        timestamp: z.string().meta({ description: "When it was uploaded (ISO 8601)." }),
      })
      .strict()
      .nullable()
      .meta({
        description:
          "Which deploy answers, from the version metadata binding (CF_VERSION_METADATA); null where none is bound.",
      }),
  })
  .strict();

export type ErrorBody = z.infer<typeof errorBodySchema>;
export type ModelListing = z.infer<typeof modelListingSchema>;
export type ModelsBody = z.infer<typeof modelsBodySchema>;
export type HealthBody = z.infer<typeof healthBodySchema>;
export type ModelCard = z.infer<typeof modelCardSchema>;
