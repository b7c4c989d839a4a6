/// <reference types="vite/client" />
/**
 * Setup file of the workerd tests: puts every shipped model folder (models/NAME/, and the earlier
 * versions it keeps in models/NAME/earlier/VERSION/) into the MODELS bucket (Miniflare's local
 * R2), laid out as a release writes it, so the real worker entry serves
 * `mnist-full` and `fashion-mnist` from R2 as a deployed worker does (only the default model is
 * bundled). The same layout as scripts/model-release-objects.ts, which the Node side uses.
 */
import { env } from "cloudflare:test";
import { EARLIER_VERSIONS_DIR, MANIFEST_FILE } from "@edgegan/shared";
import { beforeAll } from "vitest";
import { livePointerKey, versionObjectKey } from "../src/r2-layout.ts";

// models/NAME/generator.onnx through the Data rule (ArrayBuffer), model.json as JSON; the same
// under models/NAME/earlier/VERSION/ for the versions a model keeps for pinned URLs (the globs
// must be literals for the bundler)
const onnxFiles = import.meta.glob<ArrayBuffer>(
  ["../models/*/generator.onnx", "../models/*/earlier/*/generator.onnx"],
  { eager: true, import: "default" },
);
const manifests = import.meta.glob<{ version: string; onnx: { file: string } }>(
  ["../models/*/model.json", "../models/*/earlier/*/model.json"],
  { eager: true, import: "default" },
);

let seeded: Promise<void> | null = null;

async function seed(bucket: R2Bucket): Promise<void> {
  for (const [path, manifest] of Object.entries(manifests)) {
    const parts = path.split("/");
    const earlier = parts.at(-3) === EARLIER_VERSIONS_DIR;
    const name = parts.at(earlier ? -4 : -2) as string;
    const bytes = onnxFiles[path.replace(/model\.json$/, "generator.onnx")];
    if (!bytes) throw new Error(`${path} has no generator.onnx beside it`);
    await bucket.put(versionObjectKey(name, manifest.version, manifest.onnx.file), bytes);
    await bucket.put(
      versionObjectKey(name, manifest.version, MANIFEST_FILE),
      JSON.stringify(manifest),
    );
    if (!earlier) await bucket.put(livePointerKey(name), manifest.version);
  }
}

beforeAll(async () => {
  if (!env.MODELS) throw new Error("wrangler.jsonc binds no MODELS bucket at its top level");
  seeded ??= seed(env.MODELS);
  await seeded;
});
