/**
 * Save and load a TF.js LayersModel as two files, through tf.io handlers written for the
 * filesystem (tfjs-node's `file://` handler needs the native addon, absent here):
 * `model.json` (topology + weight specs + a sha256 of the weights) and `weights.bin`.
 * Each file is written atomically; a weights file that does not match its sha256 is refused,
 * so a half-replaced pair is never loaded as a model.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { writeFileAtomic } from "../atomic-write.ts";

export const MODEL_JSON_FILE = "model.json";
export const WEIGHTS_FILE = "weights.bin";

interface StoredModelJson {
  format: "edgegan-layers-model";
  modelTopology: unknown;
  weightSpecs: tf.io.WeightsManifestEntry[];
  weightsFile: string;
  weightsSha256: string;
  weightsBytes: number;
}

/**
 * Write `model` into `dir` (which must exist) as model.json + weights.bin.
 * @returns the sha256 of the weights
 */
export async function saveModelFiles(model: tfl.LayersModel, dir: string): Promise<string> {
  let sha256 = "";
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? []));
      sha256 = createHash("sha256").update(weights).digest("hex");
      const json: StoredModelJson = {
        format: "edgegan-layers-model",
        modelTopology: artifacts.modelTopology,
        weightSpecs: artifacts.weightSpecs ?? [],
        weightsFile: WEIGHTS_FILE,
        weightsSha256: sha256,
        weightsBytes: weights.length,
      };
      writeFileAtomic(join(dir, WEIGHTS_FILE), weights);
      writeFileAtomic(join(dir, MODEL_JSON_FILE), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }),
  );
  return sha256;
}

/**
 * Load a model saved by {@link saveModelFiles}.
 * @throws Error naming the file when a file is missing, not our format, or the weights do not
 *   match their recorded size and sha256.
 */
export async function loadModelFiles(dir: string): Promise<tfl.LayersModel> {
  const jsonPath = join(dir, MODEL_JSON_FILE);
  const weightsPath = join(dir, WEIGHTS_FILE);
  for (const path of [jsonPath, weightsPath]) {
    if (!existsSync(path)) throw new Error(`${path} is missing`);
  }
  const json = JSON.parse(readFileSync(jsonPath, "utf8")) as Partial<StoredModelJson>;
  if (json.format !== "edgegan-layers-model" || !Array.isArray(json.weightSpecs)) {
    throw new Error(`${jsonPath} is not a model written by saveModelFiles (format ${json.format})`);
  }
  const weights = new Uint8Array(readFileSync(weightsPath));
  const sha256 = createHash("sha256").update(weights).digest("hex");
  if (weights.length !== json.weightsBytes || sha256 !== json.weightsSha256) {
    throw new Error(
      `${weightsPath} does not match ${jsonPath}: ${weights.length} bytes with sha256 ${sha256.slice(0, 12)}..., ` +
        `expected ${json.weightsBytes} bytes with sha256 ${String(json.weightsSha256).slice(0, 12)}...`,
    );
  }
  return tfl.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology as tf.io.ModelArtifacts["modelTopology"],
      weightSpecs: json.weightSpecs,
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.length),
    }),
  );
}
