/**
 * The models one worker serves: those bundled into it (the zero-config default) and, when an R2
 * binding is configured, those released into the bucket. Each model is resolved by name and
 * optional version to a GeneratorHolder; sessions are created lazily, one per model version.
 * Bundled models keep theirs for the isolate's life; R2 versions (live and pinned alike, including
 * earlier versions of a bundled model, released to the bucket so pinned URLs outlive a new bundle) are kept
 * in an LRU of {@link MAX_R2_SESSIONS}, so pinned URLs of many old versions cannot fill the
 * isolate's 128 MB: the least recently used session is released when another is needed (its
 * next request recreates it). A model that fails to load answers 503 for itself only.
 */
import type { RawModel } from "@edgegan/shared";
import { createGeneratorHolder, type GeneratorHolder } from "./inference.ts";
import { createR2ModelStore, type R2ModelStore } from "./r2-models.ts";

/**
 * Most R2 model sessions one isolate keeps. Measured (bench/session-memory.bench.ts, docs/deploy.md
 * "Memory"): a session takes 5.8 MiB of ORT's wasm heap for `mnist-full` (3.2 MiB file), 2.8 for
 * the first (width 128) `fashion-mnist`, 1.3 for `mnist` (and today's `fashion-mnist`, the same
 * network), and its holder keeps the file's bytes (up to 3.2 MiB) on the
 * JS heap; ORT itself starts at 23 MiB of wasm heap. Four full-width sessions are then about
 * 36 MiB beside the runtime's 23: inside the isolate's 128 MB with room for requests.
 */
export const MAX_R2_SESSIONS = 4;

/** Where a resolved model comes from. */
export type ModelSource = "bundle" | "r2";

/** A model found by name (and version). */
export interface ResolvedModel {
  name: string;
  source: ModelSource;
  holder: GeneratorHolder;
  /**
   * Set on the first request after which this isolate saw the model's R2 `live` pointer move
   * (a release or rollback): the unpinned answers cached for the old version are stale.
   */
  liveMoved?: { from: string; to: string };
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
 * @param options.now, options.maxR2Sessions see their fields
 * @throws Error when defaultName is not bundled (a build mistake)
 * @example
 * const models = createModelRegistry({ mnist: () => ({ manifest, onnx }) }, "mnist");
 */
export function createModelRegistry(
  bundled: BundledModels,
  defaultName: string,
  options: {
    /** Clock of the R2 pointer cache (tests move it on). */
    now?: () => number;
    /** Cap of the R2 session LRU (default MAX_R2_SESSIONS). */
    maxR2Sessions?: number;
  } = {},
): ModelRegistry {
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
  // Map order is the LRU order: a hit is moved to the end, the first entry is the eviction victim
  const r2Holders = new Map<string, GeneratorHolder>();
  const maxR2Sessions = options.maxR2Sessions ?? MAX_R2_SESSIONS;
  // the live version each R2 model had when this isolate last read its pointer
  const lastLive = new Map<string, string>();
  const storeOf = (bucket: R2Bucket) => {
    let store = stores.get(bucket);
    if (!store) {
      store = createR2ModelStore(bucket, options.now);
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

  /** The R2 holder of `name@version` (most recently used: moved to the end of the LRU). */
  const r2Holder = (store: R2ModelStore, name: string, version: string): GeneratorHolder => {
    const key = `${name}@${version}`;
    let holder = r2Holders.get(key);
    if (holder) {
      r2Holders.delete(key);
    } else {
      holder = createGeneratorHolder(() => store.load(name, version));
      while (r2Holders.size >= maxR2Sessions) {
        const [oldest, victim] = r2Holders.entries().next().value as [string, GeneratorHolder];
        r2Holders.delete(oldest);
        void victim.release(); // after the runs it has queued; a request holding it finishes
      }
    }
    r2Holders.set(key, holder);
    return holder;
  };

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
        if (live === version) return { name, source: "bundle", holder };
        // an earlier version of a bundled model, kept in the bucket for pinned URLs
        if (bucket && (await storeOf(bucket).hasVersion(name, version))) {
          return { name, source: "r2", holder: r2Holder(storeOf(bucket), name, version) };
        }
        return { kind: "unknown_version", liveVersion: live };
      }
      if (!bucket) return { kind: "unknown_model", known: [...bundledHolders.keys()] };
      const store = storeOf(bucket);
      const live = await store.liveVersion(name);
      if (live === null) {
        return { kind: "unknown_model", known: await allNames(bucket) };
      }
      const previous = lastLive.get(name);
      const liveMoved =
        previous !== undefined && previous !== live ? { from: previous, to: live } : undefined;
      const wanted = version ?? live;
      if (wanted !== live && !(await store.hasVersion(name, wanted))) {
        return { kind: "unknown_version", liveVersion: live };
      }
      lastLive.set(name, live);
      return {
        name,
        source: "r2",
        holder: r2Holder(store, name, wanted),
        ...(liveMoved ? { liveMoved } : {}),
      };
    },
  };
}
