/**
 * GET /healthz[?model=NAME]: 200 once the model's session exists (default: the default model),
 * 503 with the reason when it cannot. It loads the model on first call, so a probe also warms
 * the isolate. Never needs a key. It also says which deploy answers (the Worker version's id, tag
 * and upload time from the version metadata binding; null where none is bound), so a rollout or
 * a rollback can be watched from outside.
 */
import type { HealthBody } from "@edgegan/shared/api-bodies";
import type { ModelPick } from "@edgegan/shared/sample-query";
import type { Context } from "hono";
import type { AppEnv } from "../app-env.ts";
import { resolveModel } from "./resolve-model.ts";
import { modelUnavailable } from "./seeded-answer.ts";

/** The answering Worker version, or null without the CF_VERSION_METADATA binding. */
export function deployOf(env: Partial<Env> | undefined): HealthBody["deploy"] {
  const metadata = env?.CF_VERSION_METADATA;
  if (!metadata) return null;
  return { id: metadata.id, tag: metadata.tag, timestamp: metadata.timestamp };
}

/** Handler for GET /healthz. */
export async function healthHandler(c: Context<AppEnv>, pick: ModelPick): Promise<Response> {
  const model = await resolveModel(c, pick.model, pick.version);
  if (model instanceof Response) return model;
  try {
    const generator = await model.holder.get();
    const body: HealthBody = {
      status: "ok",
      model: {
        name: model.name,
        version: generator.manifest.version,
        sha256: generator.manifest.onnx.sha256,
      },
      sessionLoadMs: generator.loadMs,
      deploy: deployOf(c.env),
    };
    return c.json(body, 200, { "Cache-Control": "no-store" });
  } catch (error) {
    return modelUnavailable(error);
  }
}
