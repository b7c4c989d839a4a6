/**
 * Worker entry: the app serving the bundled models (src/bundled-models.ts) and, when the MODELS
 * R2 binding is configured, the models released into that bucket. The registry lives at module
 * scope, i.e. once per isolate: each model's session is created on first use and kept.
 */
import { createApp } from "./app.ts";
import { BUNDLED_MODELS, DEFAULT_MODEL } from "./bundled-models.ts";
import { createModelRegistry } from "./model-registry.ts";

const models = createModelRegistry(BUNDLED_MODELS, DEFAULT_MODEL);

export default createApp({ models }) satisfies ExportedHandler<Env>;
