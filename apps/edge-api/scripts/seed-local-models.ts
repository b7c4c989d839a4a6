/**
 * Fills the local MODELS bucket (Miniflare's R2 under apps/edge-api/.wrangler/state, the one
 * `wrangler dev` reads) with every shipped model folder, as a release would lay it out: only the
 * default model is bundled into the worker, so this is how `npm start`, the bench and the load
 * test serve `mnist-full` and `fashion-mnist` locally. Runs before wrangler dev starts (see
 * startWranglerDev); a version's files are immutable, so those already there are kept.
 *
 *   tsx scripts/seed-local-models.ts      (also run by npm start)
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { getPlatformProxy } from "wrangler";
import { modelRelease, shippedModelDirs } from "./model-release-objects.ts";
import { APP_DIR } from "./wrangler-dev.ts";

/** The part of an R2 binding the seeding uses. */
interface LocalBucket {
  head(key: string): Promise<{ size: number } | null>;
  put(key: string, value: string | Uint8Array): Promise<unknown>;
}

/** What was written, for the log line. */
export interface SeedSummary {
  models: string[];
  written: number;
  kept: number;
}

/**
 * Write every shipped model into the local bucket bound as MODELS in wrangler.jsonc's top level.
 * @param options.environment a wrangler environment (e.g. "bench") instead of the top level
 */
export async function seedLocalModels(
  options: { environment?: string } = {},
): Promise<SeedSummary> {
  const proxy = await getPlatformProxy<{ MODELS?: LocalBucket }>({
    configPath: join(APP_DIR, "wrangler.jsonc"),
    environment: options.environment,
    persist: true,
    remoteBindings: false,
  });
  try {
    const bucket = proxy.env.MODELS;
    if (!bucket) throw new Error("wrangler.jsonc binds no MODELS bucket to seed");
    const summary: SeedSummary = { models: [], written: 0, kept: 0 };
    for (const dir of shippedModelDirs()) {
      const release = await modelRelease(dir);
      summary.models.push(`${release.name}@${release.version}`);
      for (const object of release.objects) {
        if (object.file === null) {
          await bucket.put(object.key, object.text ?? "");
          summary.written++;
          continue;
        }
        const bytes = readFileSync(object.file);
        const existing = await bucket.head(object.key);
        if (existing?.size === bytes.byteLength) {
          summary.kept++;
          continue;
        }
        await bucket.put(object.key, bytes);
        summary.written++;
      }
    }
    return summary;
  } finally {
    await proxy.dispose();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  seedLocalModels()
    .then((s) =>
      console.log(
        `local MODELS bucket: ${s.models.join(", ")} (${s.written} written, ${s.kept} kept)`,
      ),
    )
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    });
}
