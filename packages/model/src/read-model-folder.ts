/**
 * A model folder on disk, read in Node: `model.json` and the ONNX file it names, checked by
 * @edgegan/shared's verifyModel (the very check the worker runs in workerd) before any caller
 * sees the bytes. The folder's layout is declared in @edgegan/shared's model-folder.ts; this is
 * only the node:fs side of it, shared by the trainer (eval, synth, teacher, publish), the edge
 * API's release scripts and the experiments.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { MANIFEST_FILE, type ModelManifest, verifyModel } from "@edgegan/shared";

/** A model folder read and verified. */
export interface ModelFolder {
  /** The folder, as given. */
  dir: string;
  manifest: ModelManifest;
  /** The ONNX bytes, matching the manifest's size and sha256. */
  onnx: Uint8Array;
}

/**
 * Read `dir/model.json` and the ONNX file it names, and verify them together.
 * @throws Error naming the path when a file is missing or unreadable, the manifest is not JSON
 *   or not valid, or the ONNX bytes are not the ones the manifest describes.
 */
export async function readModelFolder(dir: string): Promise<ModelFolder> {
  const manifestPath = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(manifestPath, "utf8");
  } catch {
    throw new Error(
      `${manifestPath} not found: a model folder holds ${MANIFEST_FILE} and the ONNX file it names`,
    );
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (error) {
    throw new Error(`${manifestPath} is not JSON (${(error as Error).message})`);
  }
  // the manifest first (it names the ONNX file, which must be a plain file name), then the bytes
  const where = join(dir, "/");
  const { onnx: named } = (
    await verifyModel({ manifest, onnx: null }, { where, checkBytes: false })
  ).manifest;
  const onnx = await readFile(join(dir, named.file)).then(
    (bytes) => new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    () => null, // missing: verifyModel names it
  );
  const verified = await verifyModel({ manifest, onnx }, { where });
  return { dir, manifest: verified.manifest, onnx: verified.bytes };
}
