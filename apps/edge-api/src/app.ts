/**
 * The Hono app factory: the app-wide parts (errors, config, CORS), then every route of the route
 * table (routes/table.ts) as declared there. The models are injected (a ModelRegistry), so the
 * same app serves the bundled models in production and corrupt, missing or counting models in tests.
 */
import { Hono } from "hono";
import { cors } from "hono/cors";
import type { AppEnv } from "./app-env.ts";
import { requireApiKey } from "./auth.ts";
import { readConfig } from "./config.ts";
import { errorResponse } from "./errors.ts";
import type { ModelRegistry } from "./model-registry.ts";
import { rateLimit } from "./rate-limit.ts";
import { allowedMethods, type RouteDeclaration } from "./routes/declaration.ts";
import { ROUTE_PATHS, ROUTES } from "./routes/table.ts";

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
      `no route for ${c.req.method} ${new URL(c.req.url).pathname}; see /openapi.json (paths: ${ROUTE_PATHS.join(", ")})`,
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

  for (const route of ROUTES) register(app, route);
  return app;
}

/**
 * Register one declared route: its middleware, key check and rate limit, then its query's 400 or
 * its handler with the parsed query, then its 405.
 */
function register(app: Hono<AppEnv>, route: RouteDeclaration): void {
  const method = route.method.toUpperCase();
  const chain = [
    ...(route.middleware ?? []),
    ...(route.access === "key" ? [requireApiKey] : []),
    ...(route.rateLimited ? [rateLimit] : []),
  ];
  for (const middleware of chain) app.on(method, route.path, middleware);
  app.on(method, route.path, (c) => {
    if (!route.query) return route.handler(c);
    const limits = { maxCount: c.get("config").maxCount };
    const parsed = route.query.parse(new URL(c.req.url).searchParams, limits);
    if (!parsed.ok) return errorResponse(400, parsed.error.code, parsed.error.message);
    return route.handler(c, parsed.value);
  });
  const allow = allowedMethods(route);
  app.all(route.path, (c) =>
    errorResponse(
      405,
      "method_not_allowed",
      `${c.req.method} is not allowed on ${route.path}; allowed: ${allow}`,
      { Allow: allow },
    ),
  );
}
