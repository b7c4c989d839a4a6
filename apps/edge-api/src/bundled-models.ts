/**
 * The models bundled into the worker, one folder each under apps/edge-api/models/NAME/
 * (generator.onnx as Data, model.json as JSON). Static imports, because the bundler must see
 * every file; `npm run train -- --publish` writes into models/<dataset>/.
 *
 *   mnist          the default: the lean MNIST generator (the URL without `model=` serves it)
 *   mnist-full     the full-width MNIST generator it replaced (kept for pinned URLs and as the
 *                  latency bench's reference)
 *   fashion-mnist  Fashion-MNIST clothing, 10 classes ("T-shirt/top" ... "Ankle boot")
 */
import fashionOnnx from "../models/fashion-mnist/generator.onnx";
import fashionManifest from "../models/fashion-mnist/model.json";
import mnistOnnx from "../models/mnist/generator.onnx";
import mnistManifest from "../models/mnist/model.json";
import mnistFullOnnx from "../models/mnist-full/generator.onnx";
import mnistFullManifest from "../models/mnist-full/model.json";
import type { BundledModels } from "./model-registry.ts";

/** The model a request without `model=` gets. */
export const DEFAULT_MODEL = "mnist";

export const BUNDLED_MODELS: BundledModels = {
  mnist: () => ({ manifest: mnistManifest, onnx: mnistOnnx }),
  "mnist-full": () => ({ manifest: mnistFullManifest, onnx: mnistFullOnnx }),
  "fashion-mnist": () => ({ manifest: fashionManifest, onnx: fashionOnnx }),
};
