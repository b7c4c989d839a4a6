/**
 * GET /healthz: 200 once the generator session exists, 503 with the reason when it cannot.
 * It loads the model on first call, so a probe also warms the isolate. Never needs a key.
 */
import type { Context } from "hono";
import type { AppEnv } from "../app-env.ts";
import { modelUnavailable } from "./sample.ts";

/** Handler for GET /healthz. */
export async function healthHandler(c: Context<AppEnv>): Promise<Response> {
  try {
    const generator = await c.get("generator").get();
    return c.json(
      {
        status: "ok",
        model: { version: generator.manifest.version, sha256: generator.manifest.onnx.sha256 },
        sessionLoadMs: generator.loadMs,
      },
      200,
      { "Cache-Control": "no-store" },
    );
  } catch (error) {
    return modelUnavailable(error);
  }
}
