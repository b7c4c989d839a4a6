/**
 * The OpenAPI 3.1 description of this API, made from the route table (routes/table.ts): paths,
 * summaries, query parameters (from the parsers' own tables, with the live `count` maximum),
 * answers by status with their headers, bodies from their zod schemas, and each error answer's
 * codes as an enum over the Error schema. Nothing here names a path.
 */

import { errorBodySchema } from "@edgegan/shared/api-bodies";
import type { QueryLimits, QueryParameter } from "@edgegan/shared/sample-query";
import { z } from "zod";
import type { AppConfig } from "./config.ts";
import {
  type ResponseDeclaration,
  type RouteDeclaration,
  routeAnswers,
  UNROUTED_ANSWERS,
} from "./routes/declaration.ts";

/** The shape of the document itself: what GET /openapi.json promises about its own body. */
export const openApiDocumentSchema = z.looseObject({
  openapi: z.literal("3.1.0"),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  servers: z.array(z.looseObject({ url: z.string() })),
  paths: z.record(z.string(), z.record(z.string(), z.unknown())),
  components: z.looseObject({ schemas: z.record(z.string(), z.unknown()) }),
});

type JsonSchema = Record<string, unknown>;

/** A query parameter as OpenAPI describes it. */
function openApiParameter(parameter: QueryParameter, limits: QueryLimits) {
  const { type } = parameter;
  const fallback = parameter.fallback(limits);
  const schema =
    type.kind === "integer"
      ? { type: "integer", minimum: type.min, maximum: type.max(limits) }
      : type.kind === "boolean"
        ? { type: "boolean" }
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
const jsonSchema = (schema: z.ZodType): JsonSchema => {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: "output", unrepresentable: "any" });
  return rest;
};

/** The bodies' JSON Schemas: they do not depend on the config, so made once per isolate. */
const madeSchemas = new Map<z.ZodType, JsonSchema>();
function cachedJsonSchema(schema: z.ZodType): JsonSchema {
  const made = madeSchemas.get(schema) ?? jsonSchema(schema);
  madeSchemas.set(schema, made);
  return made;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** One answer as OpenAPI describes it; its JSON bodies' schemas go into `bodySchemas` by name. */
function openApiResponse(answer: ResponseDeclaration, bodySchemas: Map<string, JsonSchema>) {
  const content: Record<string, { schema: JsonSchema }> = {};
  for (const [mediaType, body] of Object.entries(answer.content ?? {})) {
    if (body === "text") {
      content[mediaType] = { schema: { type: "string", contentMediaType: mediaType } };
      continue;
    }
    bodySchemas.set(body.name, cachedJsonSchema(body.schema));
    content[mediaType] = { schema: ref(body.name) };
  }
  if (answer.errors) {
    // the Error schema, its code narrowed to the ones this answer can carry
    const code = { enum: [...new Set(answer.errors)] };
    content["application/json"] = {
      schema: { ...ref("Error"), properties: { error: { properties: { code } } } },
    };
  }
  const headers = Object.entries(answer.headers ?? {}).map(([name, header]) => [
    name,
    {
      ...(header.description && { description: header.description }),
      ...(header.required && { required: true }),
      schema: header.schema,
    },
  ]);
  return {
    description: answer.description,
    ...(headers.length > 0 && { headers: Object.fromEntries(headers) }),
    ...(Object.keys(content).length > 0 && { content }),
  };
}

/** Build the OpenAPI document of `routes` for a configuration. */
export function buildOpenApi(
  routes: readonly RouteDeclaration[],
  config: AppConfig,
  serverUrl: string,
): Record<string, unknown> {
  const limits: QueryLimits = { maxCount: config.maxCount };
  const bodySchemas = new Map([["Error", cachedJsonSchema(errorBodySchema)]]);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const answers = Object.entries(routeAnswers(route)).map(([status, answer]) => [
      status,
      openApiResponse(answer, bodySchemas),
    ]);
    paths[route.path] = {
      ...paths[route.path],
      [route.method]: {
        operationId: route.operationId,
        summary: route.summary,
        ...(route.access === "key" && {
          security: config.apiKey === undefined ? [] : [{ bearer: [] }],
        }),
        ...(route.query && {
          parameters: route.query.parameters.map((p) => openApiParameter(p, limits)),
        }),
        responses: Object.fromEntries(answers),
      },
    };
  }
  const unrouted = Object.entries(UNROUTED_ANSWERS).map(([name, answer]) => [
    name,
    openApiResponse(answer, bodySchemas),
  ]);
  return {
    openapi: "3.1.0",
    info: {
      title: "EdgeGAN edge API",
      version: "1.0.0",
      description:
        "Samples from class-conditional GAN generators running on Cloudflare Workers. For a given model version, the same (count, label, seed) always gives byte-identical output. Requests no route takes answer as components.responses NotFound (unknown path) and MethodNotAllowed (a method the path does not take).",
    },
    servers: [{ url: serverUrl }],
    paths,
    components: {
      schemas: Object.fromEntries(bodySchemas),
      responses: Object.fromEntries(unrouted),
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
    },
  };
}
