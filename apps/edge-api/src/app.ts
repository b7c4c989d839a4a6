/**
 * The Hono app factory. The models are injected (a ModelRegistry), so the same app serves the
 * bundled models in production and corrupt, missing or counting models in tests.
 */
import { Hono } from "hono";
import { cors } from "hono/cors";
import type { AppEnv } from "./app-env.ts";
import { requireApiKey } from "./auth.ts";
import { readConfig } from "./config.ts";
import { errorResponse } from "./errors.ts";
import type { ModelRegistry } from "./model-registry.ts";
import { buildOpenApi } from "./openapi.ts";
import { rateLimit } from "./rate-limit.ts";
import { animateHandler } from "./routes/animate.ts";
import { GALLERY_ROUTES, registerGallery } from "./routes/gallery.ts";
import { healthHandler } from "./routes/health.ts";
import { modelCardHandler } from "./routes/model-card.ts";
import { modelsHandler } from "./routes/models.ts";
import { sampleHandler } from "./routes/sample.ts";
import { sampleLog } from "./sample-log.ts";

/** Every path this API answers, for 405 on other methods. */
export const KNOWN_PATHS = [
  "/sample",
  "/animate",
  "/models",
  "/model",
  "/healthz",
  "/openapi.json",
  ...GALLERY_ROUTES,
] as const;

/** Methods every known path accepts. */
const ALLOWED = "GET, HEAD, OPTIONS";

/** What the app needs from outside. */
export interface AppDeps {
  /** The models this worker serves (see createModelRegistry), kept per isolate. */
  models: ModelRegistry;
}

/**
 * Build the app.
 * @example
 * const app = createApp({ models: createModelRegistry({ mnist: () => ({ manifest, onnx }) }, "mnist") });
 * const res = await app.request("/sample?count=4&seed=1", {}, env);
 */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.onError((error) => {
    console.error("unhandled error", error);
    return errorResponse(
      500,
      "internal_error",
      "internal error; the request was valid, please retry",
    );
  });
  app.notFound((c) =>
    errorResponse(
      404,
      "not_found",
      `no route for ${c.req.method} ${new URL(c.req.url).pathname}; see /openapi.json (paths: ${KNOWN_PATHS.join(", ")})`,
    ),
  );

  app.use(async (c, next) => {
    try {
      c.set("config", readConfig(c.env));
    } catch (error) {
      return errorResponse(500, "server_misconfigured", (error as Error).message);
    }
    c.set("models", deps.models);
    await next();
    c.header("X-Content-Type-Options", "nosniff");
  });

  // CORS: `*` answers the same to every origin, so no `Vary: Origin` (it would split shared
  // caches by origin for nothing); a list of origins echoes the caller's, so it varies by Origin.
  const corsOptions = {
    allowMethods: ["GET", "HEAD", "OPTIONS"],
    allowHeaders: ["Authorization", "If-None-Match"],
    exposeHeaders: [
      "ETag",
      "X-Seed",
      "X-Model",
      "X-Model-Version",
      "X-Cache",
      "Server-Timing",
      "Retry-After",
    ],
    maxAge: 86400,
  };
  const corsAnyOrigin = cors({ ...corsOptions, origin: "*" });
  const corsListedOrigins = cors({
    ...corsOptions,
    origin: (origin, c) => {
      const allowed = (c.get("config") as AppEnv["Variables"]["config"]).corsOrigins;
      return allowed !== "*" && allowed.includes(origin) ? origin : null;
    },
  });
  app.use((c, next) =>
    c.get("config").corsOrigins === "*" ? corsAnyOrigin(c, next) : corsListedOrigins(c, next),
  );

  app.use("/sample", sampleLog);
  app.use("/animate", sampleLog);
  app.on(["GET"], ["/sample", "/animate", "/models", "/model"], requireApiKey);
  app.on(["GET"], ["/sample", "/animate"], rateLimit);
  app.get("/sample", sampleHandler);
  app.get("/animate", animateHandler);
  app.get("/models", modelsHandler);
  app.get("/model", modelCardHandler);
  app.get("/healthz", healthHandler);
  app.get("/openapi.json", (c) => {
    const origin = new URL(c.req.url).origin;
    return c.json(buildOpenApi(c.get("config"), origin), 200, { "Cache-Control": "no-cache" });
  });
  registerGallery(app);

  for (const path of KNOWN_PATHS) {
    app.all(path, (c) =>
      errorResponse(
        405,
        "method_not_allowed",
        `${c.req.method} is not allowed on ${path}; allowed: ${ALLOWED}`,
        { Allow: ALLOWED },
      ),
    );
  }
  return app;
}
