/**
 * The R2 objects that release one model folder (`models/NAME/` with generator.onnx and
 * model.json), in upload order: the version's files first, the `live` pointer last, so a reader
 * never sees a live version whose files are not there yet. Shared by the local seeding of
 * `npm start` and the tests' bucket (seed-local-models.ts) and by the release to Cloudflare
 * (release-model.ts), so both write the layout src/r2-models.ts reads.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseManifest } from "@edgegan/shared";
import { livePointerKey, versionObjectKey } from "../src/r2-layout.ts";
import { APP_DIR } from "./wrangler-dev.ts";

/** One object to write: a file's bytes or a short text. */
export interface ReleaseObject {
  key: string;
  /** Path of the file to upload, or null for `text`. */
  file: string | null;
  text: string | null;
}

/** A model folder's release: its name, version and objects. */
export interface ModelRelease {
  name: string;
  version: string;
  objects: ReleaseObject[];
}

/** The shipped model folders: apps/edge-api/models/NAME/ (each with a model.json). */
export function shippedModelDirs(): string[] {
  const root = join(APP_DIR, "models");
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(root, entry.name))
    .sort();
}

/**
 * The release of the model in `dir`, published as `name` (default: the folder's name).
 * @throws Error when model.json is missing or invalid (parseManifest's message).
 */
export function modelRelease(
  dir: string,
  name = dir.split(/[\\/]/).filter(Boolean).pop() ?? "",
): ModelRelease {
  const manifest = parseManifest(JSON.parse(readFileSync(join(dir, "model.json"), "utf8")));
  const { version } = manifest;
  return {
    name,
    version,
    objects: [
      {
        key: versionObjectKey(name, version, manifest.onnx.file),
        file: join(dir, manifest.onnx.file),
        text: null,
      },
      {
        key: versionObjectKey(name, version, "model.json"),
        file: join(dir, "model.json"),
        text: null,
      },
      { key: livePointerKey(name), file: null, text: version },
    ],
  };
}
