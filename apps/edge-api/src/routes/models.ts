/**
 * GET /models: every model this worker serves, from manifests only (no session is created):
 * name, version, dataset and class names, architecture, size, evaluation figures, and whether
 * it can be served. One unavailable model is listed with its reason; the others are unaffected.
 */
import type { ModelManifest } from "@edgegan/shared";
import type { ModelListing, ModelsBody } from "@edgegan/shared/api-bodies";
import { generatorWidthOf, onnxWeightsOf } from "@edgegan/shared/manifest";
import type { Context } from "hono";
import type { AppEnv } from "../app-env.ts";
import { ModelUnavailableError } from "../inference.ts";

const EVAL_FIELDS = ["frechetDistance", "floor", "labelAccuracy", "coverage", "samples"] as const;

function listing(name: string, manifest: ModelManifest): Omit<ModelListing, "default" | "source"> {
  const evaluation = manifest.eval
    ? Object.fromEntries(
        EVAL_FIELDS.filter((k) => k in (manifest.eval ?? {})).map((k) => [k, manifest.eval?.[k]]),
      )
    : null;
  const width = generatorWidthOf(manifest);
  return {
    name,
    status: "ok",
    version: manifest.version,
    dataset: manifest.dataset,
    arch: manifest.arch,
    ...(width !== null && { generatorWidth: width }),
    onnx: {
      bytes: manifest.onnx.bytes,
      sha256: manifest.onnx.sha256,
      weights: onnxWeightsOf(manifest),
    },
    eval: evaluation,
  };
}

/** Handler for GET /models. */
export async function modelsHandler(c: Context<AppEnv>): Promise<Response> {
  const models = c.get("models");
  const names = await models.names(c.env.MODELS);
  const entries = await Promise.all(
    names.map(async (name): Promise<ModelListing> => {
      const found = await models.resolve(name, null, c.env.MODELS);
      const base = { name, default: name === models.defaultName };
      if (!("holder" in found)) {
        return { ...base, source: "r2", status: "unavailable", reason: "no live version" };
      }
      try {
        return { ...base, source: found.source, ...listing(name, await found.holder.manifest()) };
      } catch (error) {
        if (!(error instanceof ModelUnavailableError)) throw error;
        return { ...base, source: found.source, status: "unavailable", reason: error.reason };
      }
    }),
  );
  const body: ModelsBody = { default: models.defaultName, models: entries };
  return c.json(body, 200, {
    "Cache-Control": "no-cache",
  });
}
