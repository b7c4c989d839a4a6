/**
 * Worker entry: the app serving the bundled default model (src/bundled-models.ts) and the models
 * released into the MODELS R2 bucket. The registry lives at module scope, i.e. once per isolate:
 * each model's session is created on first use (R2 ones kept in an LRU, see model-registry.ts).
 */
import { createApp } from "./app.ts";
import { BUNDLED_MODELS, DEFAULT_MODEL } from "./bundled-models.ts";
import { createModelRegistry } from "./model-registry.ts";

const models = createModelRegistry(BUNDLED_MODELS, DEFAULT_MODEL);

export default createApp({ models }) satisfies ExportedHandler<Env>;
