/**
 * What a route declaration says, and the answers several routes share. A route is declared once
 * (routes/table.ts): its path, summary, query table, access, rate limit, handler and the answers
 * its handler gives. The app registers it from that (app.ts), /openapi.json describes it from
 * that (openapi.ts), and the answers that follow from the declaration itself are derived here,
 * not restated: a query table answers 400s with its parser's codes, `access: "key"` a 401,
 * `rateLimited` a 429, and every route a 500.
 */
import type { ApiErrorCode } from "@edgegan/shared/api-bodies";
import type { QueryLimits, QueryParameter, QueryResult } from "@edgegan/shared/sample-query";
import type { Context, MiddlewareHandler } from "hono";
import type { z } from "zod";
import type { AppEnv } from "../app-env.ts";
import { RATE_LIMIT_PERIOD_S } from "../rate-limit.ts";

/** A JSON body's zod schema under the name /openapi.json gives it (components.schemas). */
export interface NamedSchema {
  name: string;
  schema: z.ZodType;
}

/** A response header as the document states it. */
export interface HeaderDeclaration {
  description?: string;
  schema: { type: "string" | "integer"; enum?: readonly string[]; minimum?: number };
  /** Every answer of this status carries it. */
  required?: boolean;
}

/** One answer of a route, by status. */
export interface ResponseDeclaration {
  description: string;
  /** Media type -> the JSON body's schema, or "text" for a text or binary body. */
  content?: Record<string, NamedSchema | "text">;
  headers?: Record<string, HeaderDeclaration>;
  /** An error answer (an ErrorBody in JSON): the codes it can carry. */
  errors?: readonly ApiErrorCode[];
}

/** The statuses this API answers with. */
export type Status = 200 | 304 | 400 | 401 | 404 | 405 | 429 | 500 | 503;

/** A route's query table: its parameters, its parser, and the codes of the parser's refusals. */
export interface QueryDeclaration<Query> {
  parameters: readonly QueryParameter[];
  errors: readonly ApiErrorCode[];
  parse(params: URLSearchParams, limits: QueryLimits): QueryResult<Query, ApiErrorCode>;
}

type Answer = Response | Promise<Response>;

/** What every route declares, whatever its query. */
interface RouteBasics {
  /** HEAD is answered as GET, OPTIONS by CORS; any other method is a 405. */
  method: "get";
  path: string;
  operationId: string;
  summary: string;
  /** key: needs `Authorization: Bearer <API key>` when the API_KEY secret is set (401). */
  access: "key" | "open";
  /** Counts against the caller's rate limit (429). */
  rateLimited?: boolean;
  /** Middleware that shapes no documented answer (the request log, page security headers). */
  middleware?: readonly MiddlewareHandler<AppEnv>[];
  /** What the handler answers, by status; the answers the declaration implies are added. */
  responses: Partial<Record<Status, ResponseDeclaration>>;
}

/**
 * A route, declared once. With a query table, the app parses the query and answers its 400
 * before the handler runs, so the handler gets the parsed query and every route that reads a
 * query documents that 400.
 */
export type RouteDeclaration<Query = unknown> = RouteBasics &
  (
    | { query: QueryDeclaration<Query>; handler(c: Context<AppEnv>, query: Query): Answer }
    | { query?: undefined; handler(c: Context<AppEnv>): Answer }
  );

/** Declare a route: checks that its handler takes what its query table parses. */
export function route<Query>(declaration: RouteDeclaration<Query>): RouteDeclaration {
  return declaration as RouteDeclaration;
}

/** An error answer (JSON ErrorBody) carrying one of `errors`. */
export function errorAnswer(
  description: string,
  errors: readonly ApiErrorCode[],
  headers?: Record<string, HeaderDeclaration>,
): ResponseDeclaration {
  return { description, errors, ...(headers && { headers }) };
}

const RETRY_AFTER: HeaderDeclaration = {
  description: "Seconds to wait before retrying.",
  schema: { type: "integer", minimum: 0 },
  required: true,
};

/** 404 of a model or version the worker does not have. */
export const UNKNOWN_MODEL = errorAnswer(
  "No such model (the message lists the known ones) or version (it names the live one).",
  ["unknown_model", "unknown_version"],
);

/** 503 of a model that cannot be loaded. */
export const MODEL_UNAVAILABLE = errorAnswer(
  "The model cannot be loaded (model.json or generator.onnx missing or invalid); the message says why.",
  ["model_unavailable"],
  { "Retry-After": RETRY_AFTER },
);

/** Any route: a misconfigured worker or a bug. */
const SERVER_ERROR = errorAnswer(
  "The worker is misconfigured (the message names the variable) or failed; the request was valid.",
  ["server_misconfigured", "internal_error"],
);

/** Every route's answers: the handler's, plus those its declaration implies. */
export function routeAnswers(
  route: RouteDeclaration,
): Partial<Record<Status, ResponseDeclaration>> {
  return {
    ...route.responses,
    ...(route.query && {
      400: errorAnswer(
        "A query parameter is unknown, repeated or invalid, or parameters conflict; the message names it and what is accepted.",
        route.query.errors,
      ),
    }),
    ...(route.access === "key" && {
      401: errorAnswer(
        "API key missing or wrong (only when the API_KEY secret is set).",
        ["unauthorized"],
        {
          "WWW-Authenticate": { schema: { type: "string" }, required: true },
        },
      ),
    }),
    ...(route.rateLimited && {
      429: errorAnswer(
        `This caller (its API key, else its IP) used up its requests for the period; retry after ${RATE_LIMIT_PERIOD_S} s.`,
        ["rate_limited"],
        { "Retry-After": RETRY_AFTER },
      ),
    }),
    500: SERVER_ERROR,
  };
}

/** The methods a route's path answers (405's `Allow`). */
export function allowedMethods(route: RouteDeclaration): string {
  return `${route.method.toUpperCase()}, HEAD, OPTIONS`;
}

/** The answers of requests no route takes: an unknown path, a method a path does not allow. */
export const UNROUTED_ANSWERS = {
  NotFound: errorAnswer("No route for this path; the message lists the paths.", ["not_found"]),
  MethodNotAllowed: errorAnswer("The path does not take this method.", ["method_not_allowed"], {
    Allow: { schema: { type: "string" }, required: true },
  }),
} as const;
