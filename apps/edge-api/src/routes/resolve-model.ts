/**
 * From a request's `model` and `version` to a served model, or to the error answer a client can
 * act on: 404 naming the known models, or 404 naming the live version of a known one. The first
 * request after a model's R2 `live` pointer moved also purges its unpinned answers from the
 * Workers Cache (cache-tags.ts).
 */
import type { Context } from "hono";
import type { AppEnv } from "../app-env.ts";
import { purgeLiveAnswers } from "../cache-tags.ts";
import { errorResponse } from "../errors.ts";
import type { ResolvedModel } from "../model-registry.ts";

/**
 * Resolve `name` (null: the default model) at `version` (null: its live version).
 * @returns the model, or a 404 Response to send as it is
 */
export async function resolveModel(
  c: Context<AppEnv>,
  name: string | null,
  version: string | null,
): Promise<ResolvedModel | Response> {
  const models = c.get("models");
  const wanted = name ?? models.defaultName;
  const found = await models.resolve(wanted, version, c.env.MODELS);
  if ("holder" in found) {
    if (found.liveMoved) void purgeLiveAnswers(executionContext(c), found.name, found.liveMoved);
    return found;
  }
  if (found.kind === "unknown_model") {
    return errorResponse(
      404,
      "unknown_model",
      `no model named "${wanted}"; known models: ${found.known.join(", ")} (GET /models lists them)`,
    );
  }
  return errorResponse(
    404,
    "unknown_version",
    `model "${wanted}" has no version "${version}"; the live version is ${found.liveVersion ?? "unknown (the model is unavailable)"}`,
  );
}

/** The request's execution context; undefined under app.request() without one (tests). */
function executionContext(c: Context<AppEnv>): ExecutionContext | undefined {
  try {
    return c.executionCtx as ExecutionContext;
  } catch {
    return undefined;
  }
}
