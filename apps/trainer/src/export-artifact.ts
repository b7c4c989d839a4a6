/**
 * Turns a trained generator into the served artifact: a model folder (generator.onnx +
 * model.json, @edgegan/shared's model-folder.ts).
 *
 * The ONNX graph is checked against TF.js through onnxruntime-web before anything is
 * written: beyond the tolerance the export fails and the previous artifact stays. Both files
 * are written atomically; `publishArtifact` copies a verified folder to where a server reads it
 * (the command says where: `edgegan train --publish [--publish-dir DIR]`).
 */

import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { exportGeneratorToOnnx } from "@edgegan/model/export-onnx";
import { toFloat16Weights } from "@edgegan/model/onnx-float16";
import { checkOnnxParity } from "@edgegan/model/onnx-parity";
import { readModelFolder } from "@edgegan/model/read-model-folder";
import {
  type Architecture,
  EARLIER_VERSIONS_DIR,
  EVAL_FILE,
  EVAL_PICTURE_FILE,
  MANIFEST_FILE,
  ONNX_FILE,
  ONNX_OPSET,
  type OnnxWeightType,
  sha256Hex,
} from "@edgegan/shared";
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
  /** The T of generator.onnx's Mul(z, T) (default 1: none); parity feeds TF.js T * z. */
  latentTemperature?: number;
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
  const { latentTemperature = 1 } = input;
  const float32 = exportGeneratorToOnnx(input.generator, input.arch, { latentTemperature });
  const onnx = weights === "float16" ? toFloat16Weights(float32) : float32;
  const parity = await checkOnnxParity(input.generator, onnx, {
    samples: PARITY_SAMPLES,
    seed: input.seed,
    latentTemperature,
  });
  const tolerance = PARITY_TOLERANCE[weights];
  if (!(parity.maxAbsDiff <= tolerance)) {
    throw new ParityError(
      `ONNX export rejected: max |ONNX - TF.js| = ${parity.maxAbsDiff} over ${parity.samples} samples exceeds ` +
        `${tolerance} (${weights} weights); the previous ${ONNX_FILE} in ${outDir} (if any) was kept`,
    );
  }
  const sha256 = await sha256Hex(onnx);
  const createdAt = new Date().toISOString();
  const manifest = parseManifest({
    formatVersion: MANIFEST_FORMAT_VERSION,
    version: modelVersion(input.dataset.name, input.arch, createdAt, sha256),
    createdAt,
    onnx: { file: ONNX_FILE, sha256, bytes: onnx.length, opset: ONNX_OPSET, weights },
    arch: input.arch,
    ...(input.generatorWidth !== null && { generatorWidth: input.generatorWidth }),
    dataset: input.dataset,
    contract: manifestContract(),
    training: input.training,
    parity: { maxAbsDiff: parity.maxAbsDiff, samples: parity.samples },
  } satisfies ModelManifest);
  writeModelFiles(outDir, onnx, manifest);
  return manifest;
}

/** A model's version: dataset, architecture, day of export and the ONNX file's sha256 prefix. */
export function modelVersion(
  dataset: string,
  arch: Architecture,
  createdAt: string,
  sha256: string,
): string {
  return `${datasetSlug(dataset)}-${arch}-${createdAt.slice(0, 10)}-${sha256.slice(0, 8)}`;
}

/** Write a model folder's two files atomically, the ONNX first (a reader goes by the manifest). */
export function writeModelFiles(dir: string, onnx: Uint8Array, manifest: ModelManifest): void {
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(join(dir, manifest.onnx.file), onnx);
  writeFileAtomic(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
}

/**
 * Copy the model folder `fromDir` into `toDir` (created if needed), verified first: a folder
 * whose ONNX does not match its manifest is never published. The manifest is copied byte for
 * byte. The model `toDir` served before, when it is another version, is first copied whole into
 * `toDir/earlier/VERSION/` (its evaluation included), so URLs pinned to it keep working once
 * the folder is released; its evaluation is then removed from `toDir`, as it no longer describes
 * what is served (`npm run eval` writes the new one).
 * @returns toDir
 * @throws Error naming the file when `fromDir` does not verify, or when the model in `toDir`
 *   does not (nothing written in either case).
 */
export async function publishArtifact(fromDir: string, toDir: string): Promise<string> {
  const { manifest, onnx } = await readModelFolder(fromDir);
  const manifestBytes = new Uint8Array(readFileSync(join(fromDir, MANIFEST_FILE)));
  mkdirSync(toDir, { recursive: true });
  await keepReplacedVersion(toDir, manifest.version);
  writeFileAtomic(join(toDir, manifest.onnx.file), onnx);
  writeFileAtomic(join(toDir, MANIFEST_FILE), manifestBytes);
  for (const stale of [EVAL_FILE, EVAL_PICTURE_FILE]) rmSync(join(toDir, stale), { force: true });
  return toDir;
}

/**
 * Copy the model `dir` holds into `dir/earlier/VERSION/` unless it is `incomingVersion` (or there
 * is none, or that version is kept already). The copy is made in a temporary folder and renamed
 * into place, so `earlier/` never holds half a version.
 * @returns the folder the replaced version is kept in, or null when nothing is replaced
 */
export async function keepReplacedVersion(
  dir: string,
  incomingVersion: string,
): Promise<string | null> {
  if (!existsSync(join(dir, MANIFEST_FILE))) return null;
  const { manifest } = await readModelFolder(dir).catch((error: unknown) => {
    throw new Error(
      `${dir} holds a model that does not verify, so it cannot be kept for pinned URLs before it is replaced: ${(error as Error).message}`,
    );
  });
  if (manifest.version === incomingVersion) return null;
  const kept = join(dir, EARLIER_VERSIONS_DIR, manifest.version);
  if (existsSync(kept)) return kept;
  const temp = join(dir, EARLIER_VERSIONS_DIR, `.${manifest.version}.tmp-${process.pid}`);
  try {
    mkdirSync(temp, { recursive: true });
    for (const file of [manifest.onnx.file, MANIFEST_FILE, EVAL_FILE, EVAL_PICTURE_FILE]) {
      if (existsSync(join(dir, file))) copyFileSync(join(dir, file), join(temp, file));
    }
    renameSync(temp, kept);
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    throw error;
  }
  return kept;
}
