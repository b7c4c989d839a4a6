/**
 * The R2 objects that release one model folder (`models/NAME/` with model.json and the ONNX file
 * it names, verified together first), in upload order: the versions it keeps under `earlier/`
 * (files only, for URLs pinned to them), then its own version's files, the `live` pointer last,
 * so a reader never sees a live version whose files are not there yet. Shared by the local seeding of
 * `npm start` and the tests' bucket (seed-local-models.ts) and by the release to Cloudflare
 * (release-model.ts), so both write the layout src/r2-models.ts reads.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { readModelFolder } from "@edgegan/model/read-model-folder";
import { EARLIER_VERSIONS_DIR, MANIFEST_FILE } from "@edgegan/shared";
import { livePointerKey, versionObjectKey } from "../src/r2-layout.ts";
import { APP_DIR } from "./wrangler-dev.ts";

/** One object to write: a file's bytes or a short text. */
export interface ReleaseObject {
  key: string;
  /** Path of the file to upload, or null for `text`. */
  file: string | null;
  text: string | null;
}

/** A model folder's release: its name, version, the earlier versions it keeps, and objects. */
export interface ModelRelease {
  name: string;
  version: string;
  earlierVersions: string[];
  objects: ReleaseObject[];
}

/** The shipped model folders: apps/edge-api/models/NAME/. */
export function shippedModelDirs(): string[] {
  const root = join(APP_DIR, "models");
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(root, entry.name))
    .sort();
}

/** The folders of the versions `dir` keeps under `earlier/` (none when it has no such folder). */
function earlierVersionDirs(dir: string): string[] {
  const root = join(dir, EARLIER_VERSIONS_DIR);
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith("."))
    .map((entry) => join(root, entry.name))
    .sort();
}

/** The two objects of one version: its ONNX file and its manifest. */
async function versionObjects(dir: string, name: string) {
  const { manifest } = await readModelFolder(dir);
  const { version } = manifest;
  const objects: ReleaseObject[] = [
    {
      key: versionObjectKey(name, version, manifest.onnx.file),
      file: join(dir, manifest.onnx.file),
      text: null,
    },
    {
      key: versionObjectKey(name, version, MANIFEST_FILE),
      file: join(dir, MANIFEST_FILE),
      text: null,
    },
  ];
  return { version, objects };
}

/**
 * The release of the model in `dir`, published as `name` (default: the folder's name): the
 * versions it keeps under `earlier/`, its own version, then the `live` pointer to it.
 * @throws Error naming the file when the folder or a kept version does not verify (a file
 *   missing, the manifest invalid, or the ONNX bytes not the ones it describes): such a folder is
 *   never released.
 */
export async function modelRelease(
  dir: string,
  name = dir.split(/[\\/]/).filter(Boolean).pop() ?? "",
): Promise<ModelRelease> {
  const earlier = await Promise.all(
    earlierVersionDirs(dir).map((kept) => versionObjects(kept, name)),
  );
  const { version, objects } = await versionObjects(dir, name);
  return {
    name,
    version,
    earlierVersions: earlier.map((kept) => kept.version),
    objects: [
      ...earlier.flatMap((kept) => kept.objects),
      ...objects,
      { key: livePointerKey(name), file: null, text: version },
    ],
  };
}
