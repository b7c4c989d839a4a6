/**
 * GET /model: the model card, i.e. the manifest (training config, parity, evaluation metrics
 * when `turbo run eval` merged them in). It needs no onnxruntime session.
 */
import type { Context } from "hono";
import type { AppEnv } from "../app-env.ts";
import { modelUnavailable } from "./sample.ts";

/** Handler for GET /model. */
export async function modelCardHandler(c: Context<AppEnv>): Promise<Response> {
  try {
    const manifest = await c.get("generator").manifest();
    return c.json({ ...manifest, eval: manifest.eval ?? null }, 200, {
      "Cache-Control": "no-cache",
    });
  } catch (error) {
    return modelUnavailable(error);
  }
}
