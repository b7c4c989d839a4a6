/**
 * Models released into an R2 bucket, so a model can be released or rolled back without a
 * redeploy. The bucket's layout is ./r2-layout.ts: each version is a model folder (model.json
 * and the ONNX file it names, checked by @edgegan/shared's verifyModel before use) under
 * `models/NAME/VERSION/`, and `models/NAME/live` names the version served by default.
 *
 * Release: upload both files of the new version, then overwrite `live`. Rollback: overwrite
 * `live` with an older version still in the bucket. Pinned URLs (`version=V`) keep working for
 * every version left in the bucket. Pointers and the name list are re-read at most every
 * {@link POINTER_TTL_MS} per isolate; a version's files never change, so they are read once.
 */
import { MANIFEST_FILE, ONNX_FILE, type RawModel } from "@edgegan/shared";
import { livePointerKey, MODELS_PREFIX, versionObjectKey } from "./r2-layout.ts";

/** How long an isolate trusts a `live` pointer or the list of names before reading it again. */
export const POINTER_TTL_MS = 30_000;

/** A model's live version and the loader of any of its versions. */
export interface R2ModelStore {
  /** Names of the models in the bucket (cached for POINTER_TTL_MS). */
  names(): Promise<string[]>;
  /** The live version of `name`, or null when the bucket has no such model. */
  liveVersion(name: string): Promise<string | null>;
  /** Whether the bucket holds `version` of `name`. */
  hasVersion(name: string, version: string): Promise<boolean>;
  /** The raw files of one version (manifest parsed, bytes as stored; verified by the caller). */
  load(name: string, version: string): Promise<RawModel>;
}

/** A value and when it was read. */
interface Timed<T> {
  value: T;
  at: number;
}

/**
 * Open the store over a bucket binding.
 * @param now clock for the pointer cache (tests pass a fake one)
 */
export function createR2ModelStore(bucket: R2Bucket, now: () => number = Date.now): R2ModelStore {
  let names: Timed<Promise<string[]>> | null = null;
  const live = new Map<string, Timed<Promise<string | null>>>();
  const fresh = <T>(entry: Timed<T> | null | undefined): entry is Timed<T> =>
    entry !== null && entry !== undefined && now() - entry.at < POINTER_TTL_MS;

  return {
    names() {
      if (!fresh(names)) {
        const listed = bucket
          .list({ prefix: MODELS_PREFIX, delimiter: "/" })
          .then((list) =>
            list.delimitedPrefixes.map((p) => p.slice(MODELS_PREFIX.length, -1)).sort(),
          );
        names = { value: listed, at: now() };
        listed.catch(() => {
          names = null; // a failed listing is retried on the next request
        });
      }
      return names.value;
    },
    liveVersion(name) {
      const cached = live.get(name);
      if (fresh(cached)) return cached.value;
      const read = bucket
        .get(livePointerKey(name))
        .then(async (object) => (object ? (await object.text()).trim() || null : null));
      live.set(name, { value: read, at: now() });
      read.catch(() => live.delete(name));
      return read;
    },
    async hasVersion(name, version) {
      return (await bucket.head(versionObjectKey(name, version, MANIFEST_FILE))) !== null;
    },
    async load(name, version) {
      const base = versionObjectKey(name, version, "");
      const manifestObject = await bucket.get(`${base}${MANIFEST_FILE}`);
      if (!manifestObject) return { manifest: null, onnx: null };
      let manifest: unknown;
      try {
        manifest = await manifestObject.json();
      } catch {
        throw new Error(`${base}${MANIFEST_FILE} in the bucket is not JSON`);
      }
      const claimed = (manifest as { version?: unknown })?.version;
      if (claimed !== version) {
        throw new Error(
          `${base}${MANIFEST_FILE} says version ${JSON.stringify(claimed)}, not ${version}: upload each version under its own name`,
        );
      }
      const file = (manifest as { onnx?: { file?: unknown } })?.onnx?.file;
      const onnxObject = await bucket.get(`${base}${typeof file === "string" ? file : ONNX_FILE}`);
      return { manifest, onnx: onnxObject ? new Uint8Array(await onnxObject.arrayBuffer()) : null };
    },
  };
}
