/**
 * The model folder: what training hands to serving. A folder holds `model.json` (the manifest,
 * ./manifest.ts) and the ONNX file it names (`generator.onnx` when the trainer writes it);
 * `npm run eval` adds `eval.json` and `eval-samples.png` beside them; a served model's folder also
 * keeps the versions it replaced under `earlier/`.
 *
 * Declared once here with the one check every reader runs before onnxruntime sees the bytes
 * (manifest valid, file present, byte length and sha256 as the manifest says). The hash is Web
 * Crypto's, so the worker in workerd and the Node tools (trainer, teacher, eval, synth, release
 * scripts) run the same code; each side only says where the bytes come from.
 */
import { type ModelManifest, parseManifest } from "./manifest.ts";

/** The manifest's file name. */
export const MANIFEST_FILE = "model.json";
/** The generator's file name as the trainer writes it (readers follow the manifest's `onnx.file`). */
export const ONNX_FILE = "generator.onnx";
/** The evaluation record `npm run eval` writes beside the model (also merged into the manifest). */
export const EVAL_FILE = "eval.json";
/** The evaluation picture `npm run eval` writes beside the model. */
export const EVAL_PICTURE_FILE = "eval-samples.png";
/**
 * Inside a served model's folder, the versions it replaced: `earlier/VERSION/` is a model folder of
 * its own. Publishing a new version moves the old one there, and releases carry them into the
 * bucket without moving `live`, so URLs pinned to an old version keep their bytes.
 */
export const EARLIER_VERSIONS_DIR = "earlier";

/** A model folder's contents as read, not yet checked; null/undefined means the file is missing. */
export interface RawModel {
  /** The parsed model.json (validated by {@link verifyModel}, not by whoever read it). */
  manifest: unknown;
  /** The ONNX bytes. */
  onnx: ArrayBuffer | Uint8Array | null | undefined;
}

/** A model whose manifest is valid and whose bytes match it. */
export interface VerifiedModel {
  manifest: ModelManifest;
  bytes: Uint8Array;
}

/** How {@link verifyModel} words its errors and how much it checks. */
export interface VerifyOptions {
  /** false: check the manifest only (e.g. to show it while the bytes are still loading). */
  checkBytes?: boolean;
  /** Put before each file name in messages, e.g. the folder ("runs/a/"); default none. */
  where?: string;
  /** Added to the message when a file is missing, e.g. where models are published. */
  whenMissing?: string;
}

function toHex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** SHA-256 of some bytes as 64 lowercase hex digits (Web Crypto: workerd and Node alike). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  return toHex(await crypto.subtle.digest("SHA-256", bytes));
}

/**
 * Validate the manifest and (unless `checkBytes` is false) the model bytes against it:
 * presence, byte length and sha256.
 * @throws Error saying which check failed, with expected and actual values.
 * @example
 * const { manifest, bytes } = await verifyModel({ manifest: json, onnx }, { where: "runs/a/" });
 */
export async function verifyModel(
  raw: RawModel,
  { checkBytes = true, where = "", whenMissing }: VerifyOptions = {},
): Promise<VerifiedModel> {
  const missing = whenMissing === undefined ? "" : `: ${whenMissing}`;
  if (raw.manifest === null || raw.manifest === undefined) {
    throw new Error(`${where}${MANIFEST_FILE} is missing${missing}`);
  }
  let manifest: ModelManifest;
  try {
    manifest = parseManifest(raw.manifest);
  } catch (error) {
    throw new Error(`${where}${(error as Error).message}`); // "model.json is not a valid manifest: ..."
  }
  if (!checkBytes) return { manifest, bytes: new Uint8Array() };
  const onnxName = `${where}${manifest.onnx.file}`;
  if (raw.onnx === null || raw.onnx === undefined || raw.onnx.byteLength === 0) {
    throw new Error(`${onnxName} is missing or empty${missing}`);
  }
  const bytes = raw.onnx instanceof Uint8Array ? raw.onnx : new Uint8Array(raw.onnx);
  const notTogether = "model and manifest do not belong together";
  if (bytes.byteLength !== manifest.onnx.bytes) {
    throw new Error(
      `${onnxName} has ${bytes.byteLength} bytes but ${where}${MANIFEST_FILE} says ${manifest.onnx.bytes}: ${notTogether}`,
    );
  }
  const actual = await sha256Hex(bytes);
  if (actual !== manifest.onnx.sha256) {
    throw new Error(
      `${onnxName} sha256 is ${actual} but ${where}${MANIFEST_FILE} says ${manifest.onnx.sha256}: ${notTogether}`,
    );
  }
  return { manifest, bytes };
}
