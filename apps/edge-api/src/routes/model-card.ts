/**
 * GET /model?model=NAME: a model's card, i.e. its manifest under its name (training config, parity, evaluation
 * metrics when `npm run eval` merged them in). It needs no onnxruntime session.
 */
import type { ModelCard } from "@edgegan/shared/api-bodies";
import type { ModelPick } from "@edgegan/shared/sample-query";
import type { Context } from "hono";
import type { AppEnv } from "../app-env.ts";
import { resolveModel } from "./resolve-model.ts";
import { modelUnavailable } from "./seeded-answer.ts";

/** Handler for GET /model. */
export async function modelCardHandler(c: Context<AppEnv>, pick: ModelPick): Promise<Response> {
  const model = await resolveModel(c, pick.model, pick.version);
  if (model instanceof Response) return model;
  try {
    const manifest = await model.holder.manifest();
    const card: ModelCard = { name: model.name, ...manifest, eval: manifest.eval ?? null };
    return c.json(card, 200, { "Cache-Control": "no-cache" });
  } catch (error) {
    return modelUnavailable(error);
  }
}
