/**
 * The models one worker serves: those bundled into it (the zero-config default) and, when an R2
 * binding is configured, those released into the bucket. Each model is resolved by name and
 * optional version to a GeneratorHolder; sessions are created lazily, one per model version,
 * and kept for the isolate's life. A model that fails to load answers 503 for itself only.
 */
import { createGeneratorHolder, type GeneratorHolder } from "./inference.ts";
import type { RawModel } from "./model-source.ts";
import { createR2ModelStore, type R2ModelStore } from "./r2-models.ts";

/** Where a resolved model comes from. */
export type ModelSource = "bundle" | "r2";

/** A model found by name (and version). */
export interface ResolvedModel {
  name: string;
  source: ModelSource;
  holder: GeneratorHolder;
}

/** Why a model could not be resolved: no such name, or no such version of it. */
export type ModelLookupFailure =
  | { kind: "unknown_model"; known: string[] }
  | { kind: "unknown_version"; liveVersion: string | null };

/** The models of one worker. */
export interface ModelRegistry {
  /** Served when a request names no model. */
  readonly defaultName: string;
  /** Every model name, bundled ones first (the bucket's after, when bound). */
  names(bucket?: R2Bucket): Promise<string[]>;
  /**
   * The model `name` at `version` (null: its live version).
   * @returns the model, or why it was not found
   */
  resolve(
    name: string,
    version: string | null,
    bucket?: R2Bucket,
  ): Promise<ResolvedModel | ModelLookupFailure>;
}

/** What a bundled model is: a loader of its files (module imports in production). */
export type BundledModels = Record<string, () => RawModel | Promise<RawModel>>;

/**
 * Build the registry.
 * @param bundled models in the worker bundle, by name
 * @param defaultName one of the bundled names
 * @throws Error when defaultName is not bundled (a build mistake)
 * @example
 * const models = createModelRegistry({ mnist: () => ({ manifest, onnx }) }, "mnist");
 */
export function createModelRegistry(bundled: BundledModels, defaultName: string): ModelRegistry {
  if (!Object.hasOwn(bundled, defaultName)) {
    throw new Error(
      `default model "${defaultName}" is not bundled (bundled: ${Object.keys(bundled).join(", ")})`,
    );
  }
  const bundledHolders = new Map(
    Object.entries(bundled).map(([name, load]) => [name, createGeneratorHolder(load)]),
  );
  // one store per bucket binding, one holder per R2 model version (per isolate)
  const stores = new WeakMap<R2Bucket, R2ModelStore>();
  const r2Holders = new Map<string, GeneratorHolder>();
  const storeOf = (bucket: R2Bucket) => {
    let store = stores.get(bucket);
    if (!store) {
      store = createR2ModelStore(bucket);
      stores.set(bucket, store);
    }
    return store;
  };
  const bucketNames = async (bucket?: R2Bucket) =>
    bucket ? (await storeOf(bucket).names()).filter((n) => !bundledHolders.has(n)) : [];
  const allNames = async (bucket?: R2Bucket) => [
    ...bundledHolders.keys(),
    ...(await bucketNames(bucket)),
  ];

  return {
    defaultName,
    names: allNames,
    async resolve(name, version, bucket) {
      const holder = bundledHolders.get(name);
      if (holder) {
        if (version === null) return { name, source: "bundle", holder };
        const live = await holder.manifest().then(
          (m) => m.version,
          () => null,
        );
        return live === version
          ? { name, source: "bundle", holder }
          : { kind: "unknown_version", liveVersion: live };
      }
      if (!bucket) return { kind: "unknown_model", known: [...bundledHolders.keys()] };
      const store = storeOf(bucket);
      const live = await store.liveVersion(name);
      if (live === null) {
        return { kind: "unknown_model", known: await allNames(bucket) };
      }
      const wanted = version ?? live;
      if (wanted !== live && !(await store.hasVersion(name, wanted))) {
        return { kind: "unknown_version", liveVersion: live };
      }
      const key = `${name}@${wanted}`;
      let r2Holder = r2Holders.get(key);
      if (!r2Holder) {
        r2Holder = createGeneratorHolder(() => store.load(name, wanted));
        r2Holders.set(key, r2Holder);
      }
      return { name, source: "r2", holder: r2Holder };
    },
  };
}
