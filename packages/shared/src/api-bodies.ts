/**
 * The JSON bodies of the edge API's other answers, declared once as zod schemas (the /sample body
 * is in sample-document.ts): the worker's handlers build these types, /openapi.json describes
 * them from these schemas, and the tests check real answers against them.
 */
import { z } from "zod";

/** Every error: `{"error": {"code", "message"}}`, the message naming what was wrong. */
export const errorBodySchema = z
  .object({
    error: z.object({ code: z.string(), message: z.string() }).strict(),
  })
  .strict();

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
    generatorWidth: z.number().int().optional().meta({
      description: "The DCGAN generator's width (channels of its 7x7 map).",
    }),
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
