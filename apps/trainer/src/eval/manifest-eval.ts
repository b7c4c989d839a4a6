/**
 * Writes an evaluation beside its model: `eval.json`, and the same record merged into
 * `model.json` under `eval` (so `GET /model` shows it). The merge refuses when the ONNX bytes on
 * disk are not the ones the manifest names (sha256), or the ones that were evaluated: the
 * numbers must describe the model that is served. The ONNX file is never rewritten, so the
 * manifest's sha256 stays valid.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { EvalMetrics } from "@edgegan/eval/metrics";
import { type ModelManifest, parseManifest } from "@edgegan/shared/manifest";
import { writeFileAtomic } from "../atomic-write.ts";
import { MANIFEST_FILE } from "../export-artifact.ts";

export const EVAL_FILE = "eval.json";
export const EVAL_PICTURE_FILE = "eval-samples.png";

/** A model folder read and checked: manifest, ONNX bytes. */
export interface ModelFolder {
  dir: string;
  manifest: ModelManifest;
  onnx: Uint8Array;
}

/**
 * Read `model.json` and the ONNX file it names, and check the sha256.
 * @throws Error naming the file when one is missing, invalid, or the sha256 differs.
 */
export function readModelFolder(dir: string): ModelFolder {
  const manifestPath = join(dir, MANIFEST_FILE);
  let raw: string;
  try {
    raw = readFileSync(manifestPath, "utf8");
  } catch {
    throw new Error(
      `${manifestPath} not found: --model must be a folder holding ${MANIFEST_FILE} and its ONNX file`,
    );
  }
  const manifest = parseManifest(JSON.parse(raw));
  const onnxPath = join(dir, manifest.onnx.file);
  let onnx: Uint8Array;
  try {
    onnx = new Uint8Array(readFileSync(onnxPath));
  } catch {
    throw new Error(`${onnxPath} (named by ${manifestPath}) not found`);
  }
  const sha256 = createHash("sha256").update(onnx).digest("hex");
  if (sha256 !== manifest.onnx.sha256) {
    throw new Error(
      `${onnxPath} has sha256 ${sha256}, but ${manifestPath} says ${manifest.onnx.sha256}: model and manifest do not belong together`,
    );
  }
  return { dir, manifest, onnx };
}

/**
 * Write eval.json and merge the metrics into model.json under `eval` (both atomic).
 * @throws Error when the folder's ONNX is not the evaluated one (sha256 differs).
 */
export function writeEvalBesideModel(dir: string, metrics: EvalMetrics): ModelManifest {
  const folder = readModelFolder(dir);
  if (folder.manifest.onnx.sha256 !== metrics.onnxSha256) {
    throw new Error(
      `the evaluated ONNX (sha256 ${metrics.onnxSha256}) is not ${join(dir, folder.manifest.onnx.file)} ` +
        `(sha256 ${folder.manifest.onnx.sha256}); nothing written`,
    );
  }
  const record = JSON.parse(JSON.stringify(metrics)) as Record<string, unknown>;
  const merged = parseManifest({ ...folder.manifest, eval: record });
  writeFileAtomic(join(dir, EVAL_FILE), `${JSON.stringify(metrics, null, 2)}\n`);
  writeFileAtomic(join(dir, MANIFEST_FILE), `${JSON.stringify(merged, null, 2)}\n`);
  return merged;
}
