/**
 * Where the generator comes from and how it is checked before onnxruntime sees it.
 *
 * Production bundles `models/NAME/generator.onnx` (Data rule -> ArrayBuffer) and its `model.json`;
 * tests inject other sources (corrupt bytes, wrong sha256, missing file) through the same type.
 */
import { type ModelManifest, parseManifest } from "@edgegan/shared";

/** What a model source provides; `onnx` null/undefined means the file is missing. */
export interface RawModel {
  /** The parsed model.json (validated here, not by the source). */
  manifest: unknown;
  /** The generator.onnx bytes. */
  onnx: ArrayBuffer | Uint8Array | null | undefined;
}

/** A model whose manifest is valid and whose bytes match it. */
export interface VerifiedModel {
  manifest: ModelManifest;
  bytes: Uint8Array;
}

function toHex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** SHA-256 of some bytes as 64 lowercase hex digits (Web Crypto: works in workerd and Node). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  return toHex(await crypto.subtle.digest("SHA-256", bytes));
}

/**
 * Validate the manifest and (unless `checkBytes` is false) the model bytes against it:
 * presence, byte length and sha256.
 * @throws Error saying which check failed, with expected and actual values.
 */
export async function verifyModel(
  raw: RawModel,
  options: { checkBytes?: boolean } = {},
): Promise<VerifiedModel> {
  if (raw.manifest === null || raw.manifest === undefined) {
    throw new Error(
      "model.json is missing: publish generator.onnx and model.json into apps/edge-api/models/NAME/",
    );
  }
  const manifest = parseManifest(raw.manifest);
  if (options.checkBytes === false) return { manifest, bytes: new Uint8Array() };
  if (raw.onnx === null || raw.onnx === undefined || raw.onnx.byteLength === 0) {
    throw new Error(
      `${manifest.onnx.file} is missing or empty: publish the model into apps/edge-api/models/NAME/`,
    );
  }
  const bytes = raw.onnx instanceof Uint8Array ? raw.onnx : new Uint8Array(raw.onnx);
  if (bytes.byteLength !== manifest.onnx.bytes) {
    throw new Error(
      `${manifest.onnx.file} has ${bytes.byteLength} bytes but model.json says ${manifest.onnx.bytes}`,
    );
  }
  const actual = await sha256Hex(bytes);
  if (actual !== manifest.onnx.sha256) {
    throw new Error(
      `${manifest.onnx.file} sha256 is ${actual} but model.json says ${manifest.onnx.sha256}`,
    );
  }
  return { manifest, bytes };
}
