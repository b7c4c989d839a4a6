/**
 * The model bundled into the worker: the default one (generator.onnx as Data, model.json as JSON),
 * so a cold isolate answers the URL without `model=` without ever waiting on R2. Every other model
 * in apps/edge-api/models/ (`mnist-full`, `fashion-mnist`) is served from the MODELS R2 bucket
 * (src/r2-models.ts): locally from Miniflare's bucket that the dev setup fills from models/
 * (scripts/seed-local-models.ts), deployed from the bucket a release writes to
 * (scripts/release-model.ts). Keeping them out of the bundle leaves the deploy room to grow:
 * the bundle is checked at <= 5.5 MiB gzip (test/deploy-size.node.test.ts).
 *
 *   mnist          the default: the lean MNIST generator
 */
import mnistOnnx from "../models/mnist/generator.onnx";
import mnistManifest from "../models/mnist/model.json";
import type { BundledModels } from "./model-registry.ts";

/** The model a request without `model=` gets. */
export const DEFAULT_MODEL = "mnist";

export const BUNDLED_MODELS: BundledModels = {
  mnist: () => ({ manifest: mnistManifest, onnx: mnistOnnx }),
};
