/**
 * Writes an evaluation beside its model: `eval.json`, and the same record merged into
 * `model.json` under `eval` (so `GET /model` shows it). The merge refuses when the ONNX bytes on
 * disk are not the ones the manifest names (sha256), or the ones that were evaluated: the
 * numbers must describe the model that is served. The ONNX file is never rewritten, so the
 * manifest's sha256 stays valid. The folder's file names: @edgegan/shared's model-folder.ts.
 */
import { join } from "node:path";
import type { EvalMetrics } from "@edgegan/eval/metrics";
import { readModelFolder } from "@edgegan/model/read-model-folder";
import { EVAL_FILE, MANIFEST_FILE, type ModelManifest, parseManifest } from "@edgegan/shared";
import { writeFileAtomic } from "../atomic-write.ts";

/**
 * Write eval.json and merge the metrics into model.json under `eval` (both atomic).
 * @throws Error when the folder does not verify, or its ONNX is not the evaluated one (sha256
 *   differs); nothing is written then.
 */
export async function writeEvalBesideModel(
  dir: string,
  metrics: EvalMetrics,
): Promise<ModelManifest> {
  const folder = await readModelFolder(dir);
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
