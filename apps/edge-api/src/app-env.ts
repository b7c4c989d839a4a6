/**
 * The Hono environment type shared by the app and its routes: worker bindings plus the
 * per-request values middleware puts on the context.
 */
import type { AppConfig } from "./config.ts";
import type { ModelRegistry } from "./model-registry.ts";
import type { SampleLogFields } from "./sample-log.ts";

export interface AppEnv {
  Bindings: Env;
  Variables: {
    config: AppConfig;
    models: ModelRegistry;
    /** Filled by the /sample handler, written by the sampleLog middleware. */
    sampleLog: SampleLogFields;
  };
}
