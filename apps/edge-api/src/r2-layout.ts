/**
 * Where a released model lives in the MODELS bucket, declared once for the worker
 * (src/r2-models.ts reads it) and the Node scripts that write it (local seeding, releases):
 *
 *   models/NAME/VERSION/model.json       a model folder (@edgegan/shared's model-folder.ts):
 *   models/NAME/VERSION/generator.onnx   the manifest and the ONNX file it names
 *   models/NAME/live                     text: the VERSION served when a request names none
 */

/** The prefix of every model object; a model's name is the folder below it. */
export const MODELS_PREFIX = "models/";

/** The key of one file of a released version: `models/NAME/VERSION/FILE`. */
export function versionObjectKey(name: string, version: string, file: string): string {
  return `${MODELS_PREFIX}${name}/${version}/${file}`;
}

/** The key of a model's live pointer: `models/NAME/live` (text: the live VERSION). */
export function livePointerKey(name: string): string {
  return `${MODELS_PREFIX}${name}/live`;
}
