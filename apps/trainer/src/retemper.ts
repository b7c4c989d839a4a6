/**
 * A served model at another latent temperature, without its training run: the model folder's
 * generator.onnx gets (or changes, or loses) its Mul(z, T) node (@edgegan/model's
 * latent-temperature.ts), and the new folder is published like a trained one: the version it
 * replaces is kept under earlier/ for pinned URLs, and the evaluation that described the old
 * version is dropped (`npm run eval` writes the new one). The weights are untouched.
 *
 * Gate: on 64 seeded inputs the new graph's images for z must equal the source graph's for
 * (T / T_source) z to the float32 parity tolerance, or nothing is written.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setLatentTemperature } from "@edgegan/model/latent-temperature";
import { generateOnce } from "@edgegan/model/onnx-generator";
import { largestDifference, parityInputs } from "@edgegan/model/onnx-parity";
import { readModelFolder } from "@edgegan/model/read-model-folder";
import { sha256Hex } from "@edgegan/shared";
import { latentTemperatureOf, type ModelManifest, parseManifest } from "@edgegan/shared/manifest";
import {
  modelVersion,
  PARITY_SAMPLES,
  PARITY_TOLERANCE,
  ParityError,
  publishArtifact,
  writeModelFiles,
} from "./export-artifact.ts";

/**
 * Write the model of `fromDir` at latent temperature `temperature` into `toDir` (which may be
 * `fromDir`: the served model is then replaced and kept under earlier/).
 * @returns the new manifest
 * @throws Error when `fromDir` is not a verified model folder, the temperature is not > 0, or the
 *   re-tempered graph fails the gate (ParityError; nothing written)
 */
export async function retemperModel(
  fromDir: string,
  toDir: string,
  temperature: number,
): Promise<ModelManifest> {
  const { manifest: source, onnx } = await readModelFolder(fromDir);
  const bytes = setLatentTemperature(onnx, temperature);
  const gap = await largestGap(onnx, bytes, temperature / latentTemperatureOf(source));
  if (!(gap <= PARITY_TOLERANCE.float32)) {
    throw new ParityError(
      `re-tempered graph rejected: its images for z differ from the source's for T z by ${gap} (tolerance ${PARITY_TOLERANCE.float32}); nothing written`,
    );
  }
  const sha256 = await sha256Hex(bytes);
  const createdAt = new Date().toISOString();
  const { eval: _describesTheSource, ...kept } = source;
  const manifest = parseManifest({
    ...kept,
    version: modelVersion(source.dataset.name, source.arch, createdAt, sha256),
    createdAt,
    onnx: { ...source.onnx, sha256, bytes: bytes.length },
    training: {
      ...source.training,
      config: { ...source.training.config, latentTemperature: temperature },
    },
    // against TF.js, by the triangle inequality: the source's parity plus the gate's gap
    parity: { maxAbsDiff: source.parity.maxAbsDiff + gap, samples: source.parity.samples },
  } satisfies ModelManifest);
  const staging = mkdtempSync(join(tmpdir(), "edgegan-retemper-"));
  try {
    writeModelFiles(staging, bytes, manifest);
    await publishArtifact(staging, toDir);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return manifest;
}

/** max |after(z) - before(ratio z)| over the parity gate's PARITY_SAMPLES seeded (z, label) pairs. */
async function largestGap(before: Uint8Array, after: Uint8Array, ratio: number): Promise<number> {
  const n = PARITY_SAMPLES;
  const { z, labels } = parityInputs(n, 0);
  const [expected, actual] = await Promise.all([
    generateOnce(
      before,
      z.map((v) => v * ratio),
      labels,
      n,
    ),
    generateOnce(after, z, labels, n),
  ]);
  return largestDifference(expected, actual);
}
