/**
 * Turns a trained generator into the served artifact: generator.onnx + model.json.
 *
 * The ONNX graph is checked against TF.js through onnxruntime-web before anything is
 * written: beyond the tolerance the export fails and the previous artifact stays. Both files
 * are written atomically; `publishArtifact` copies them into the edge API's model folder.
 */

import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, renameSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { exportGeneratorToOnnx } from "@edgegan/model/export-onnx";
import { toFloat16Weights } from "@edgegan/model/onnx-float16";
import { checkOnnxParity } from "@edgegan/model/onnx-parity";
import { type Architecture, ONNX_OPSET, type OnnxWeightType } from "@edgegan/shared";
import {
  MANIFEST_FORMAT_VERSION,
  type ModelManifest,
  manifestContract,
  parseManifest,
} from "@edgegan/shared/manifest";
import type { LayersModel } from "@tensorflow/tfjs-layers";
import { writeFileAtomic } from "./atomic-write.ts";
import { datasetSlug } from "./dataset.ts";

/**
 * Largest accepted |ONNX - TF.js| on the [-1, 1] output scale, per weight storage: float32
 * weights must reproduce TF.js to rounding; float16 ones keep ~3 significant digits.
 */
export const PARITY_TOLERANCE: Readonly<Record<OnnxWeightType, number>> = {
  float32: 1e-4,
  float16: 2e-3,
};
export const PARITY_SAMPLES = 64;
export const ONNX_FILE = "generator.onnx";
export const MANIFEST_FILE = "model.json";

/**
 * The edge API's shipped models: one folder per model name (the default one is bundled into the
 * worker, the others served from R2), found through the package (the trainer publishes into it)
 * rather than a path across the repository.
 */
export const EDGE_MODELS_DIR = join(
  dirname(createRequire(import.meta.url).resolve("@edgegan/edge-api/package.json")),
  "models/",
);

/** The default model the edge API serves (MNIST), and the default of eval and synth. */
export const EDGE_MODEL_DIR = `${EDGE_MODELS_DIR}mnist/`;

export interface ArtifactInput {
  generator: LayersModel;
  arch: Architecture;
  /** The DCGAN generator's width (null for the MLP). */
  generatorWidth: number | null;
  dataset: { name: string; classNames: string[] };
  training: ModelManifest["training"];
  seed: number;
  /** How generator.onnx stores its weights (default float32). */
  weights?: OnnxWeightType;
}

export class ParityError extends Error {}

/**
 * Export, verify and write the artifact into `outDir`.
 * @throws ParityError when ONNX and TF.js disagree by more than PARITY_TOLERANCE (nothing written).
 */
export async function exportVerifiedArtifact(
  outDir: string,
  input: ArtifactInput,
): Promise<ModelManifest> {
  const weights = input.weights ?? "float32";
  const float32 = exportGeneratorToOnnx(input.generator, input.arch);
  const onnx = weights === "float16" ? toFloat16Weights(float32) : float32;
  const parity = await checkOnnxParity(input.generator, onnx, {
    samples: PARITY_SAMPLES,
    seed: input.seed,
  });
  const tolerance = PARITY_TOLERANCE[weights];
  if (!(parity.maxAbsDiff <= tolerance)) {
    throw new ParityError(
      `ONNX export rejected: max |ONNX - TF.js| = ${parity.maxAbsDiff} over ${parity.samples} samples exceeds ` +
        `${tolerance} (${weights} weights); the previous ${ONNX_FILE} in ${outDir} (if any) was kept`,
    );
  }
  const sha256 = createHash("sha256").update(onnx).digest("hex");
  const createdAt = new Date().toISOString();
  const manifest = parseManifest({
    formatVersion: MANIFEST_FORMAT_VERSION,
    version: `${datasetSlug(input.dataset.name)}-${input.arch}-${createdAt.slice(0, 10)}-${sha256.slice(0, 8)}`,
    createdAt,
    onnx: { file: ONNX_FILE, sha256, bytes: onnx.length, opset: ONNX_OPSET, weights },
    arch: input.arch,
    ...(input.generatorWidth !== null && { generatorWidth: input.generatorWidth }),
    dataset: input.dataset,
    contract: manifestContract(),
    training: input.training,
    parity: { maxAbsDiff: parity.maxAbsDiff, samples: parity.samples },
  } satisfies ModelManifest);
  mkdirSync(outDir, { recursive: true });
  writeFileAtomic(join(outDir, ONNX_FILE), onnx);
  writeFileAtomic(join(outDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** Copy a verified artifact from `fromDir` into `toDir` (default: the edge API's model folder). */
export function publishArtifact(fromDir: string, toDir: string = EDGE_MODEL_DIR): string {
  mkdirSync(toDir, { recursive: true });
  for (const file of [ONNX_FILE, MANIFEST_FILE]) {
    const temp = join(toDir, `.${file}.tmp-${process.pid}`);
    copyFileSync(join(fromDir, file), temp);
    renameSync(temp, join(toDir, file));
  }
  return toDir;
}
