/**
 * Where this repository's edge API serves models from: `apps/edge-api/models/NAME/`, one model
 * folder per `?model=` name. The commands' defaults come from here (where `train --publish`
 * copies a model unless `--publish-dir` says otherwise, and the model `eval` and `synth` read
 * unless `--model` says otherwise), so no library of the trainer knows about the edge app and
 * the trainer does not depend on it.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The edge API's models folder (apps/edge-api/models/), the default of `--publish-dir`. */
export const EDGE_MODELS_DIR = fileURLToPath(new URL("../../../edge-api/models/", import.meta.url));

/** The model the edge API serves by default (MNIST): the default `--model` of eval and synth. */
export const EDGE_MODEL_DIR = join(EDGE_MODELS_DIR, "mnist/");
