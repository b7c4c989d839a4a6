/**
 * The one module that owns onnxruntime-web: it loads the generator once per isolate and runs it.
 *
 * Why the set-up looks odd (docs/design-notes.md, measured with wrangler 4.86 + ORT 1.30):
 * Workers forbid compiling wasm from bytes, and ORT has no hook to hand it a compiled module.
 * So the 14 MB ORT wasm is imported as a `WebAssembly.Module` (wrangler's CompiledWasm rule),
 * `env.wasm.wasmBinary` is set to a tiny marker (which makes ORT use its embedded glue and
 * skip fetching), and `WebAssembly.instantiate` is wrapped so that a call with the marker
 * bytes instantiates the imported module instead. No threads, no proxy worker.
 */
import {
  IMAGE_SIZE,
  LATENT_SIZE,
  MANIFEST_FILE,
  type ModelManifest,
  NUM_CLASSES,
  ONNX_FILE,
  ONNX_IO,
  type RawModel,
  type VerifiedModel,
  verifyModel,
} from "@edgegan/shared";
import ortWasmModule from "onnxruntime-web/ort-wasm-simd-threaded.wasm";
import * as ort from "onnxruntime-web/wasm";

/** The smallest valid wasm module (magic + version): the marker ORT is given as its binary. */
const WASM_MARKER = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

/** What a missing file's message adds: where a model is put to be served. */
const WHEN_MISSING = `publish ${ONNX_FILE} and ${MANIFEST_FILE} into apps/edge-api/models/NAME/`;

/** Raised when the model cannot be served; `reason` is safe to show to clients. */
export class ModelUnavailableError extends Error {
  constructor(readonly reason: string) {
    super(`model unavailable: ${reason}`);
    this.name = "ModelUnavailableError";
  }
}

/** A loaded generator, ready to run. */
export interface Generator {
  readonly manifest: ModelManifest;
  /** Milliseconds spent creating the session (for /healthz). */
  readonly loadMs: number;
  /**
   * Run the generator on a batch.
   * @param z float32 [count, LATENT_SIZE], standard normal
   * @param label float32 [count, NUM_CLASSES], one-hot
   * @returns float32 [count, 1, 28, 28] in [-1, 1], row-major
   */
  run(z: Float32Array, label: Float32Array, count: number): Promise<Float32Array>;
  /** Release the session's wasm memory once the queued runs are done; later runs reject. */
  release(): Promise<void>;
}

/** Holds one generator per isolate: created on first use, failures remembered. */
export interface GeneratorHolder {
  /** Resolves the generator (creating it once); rejects with ModelUnavailableError. */
  get(): Promise<Generator>;
  /** The manifest only (no session), for /model; rejects with ModelUnavailableError. */
  manifest(): Promise<ModelManifest>;
  /**
   * The manifest once the model bytes were checked against it (size, sha256; once per isolate,
   * no session): what an answer from the cache or a 304 may rely on.
   */
  verifiedManifest(): Promise<ModelManifest>;
  /** Release the session, if one was created (a model evicted from the registry's LRU). */
  release(): Promise<void>;
}

let ortConfigured = false;

function isMarker(source: unknown): boolean {
  const bytes =
    source instanceof Uint8Array
      ? source
      : source instanceof ArrayBuffer
        ? new Uint8Array(source)
        : null;
  return (
    bytes !== null &&
    bytes.byteLength === WASM_MARKER.byteLength &&
    bytes.every((b, i) => b === WASM_MARKER[i])
  );
}

/** Point ORT at the precompiled wasm module (once per isolate). */
function configureOrt(): void {
  if (ortConfigured) return;
  const original = WebAssembly.instantiate.bind(WebAssembly) as (
    source: unknown,
    imports?: WebAssembly.Imports,
  ) => Promise<unknown>;
  const patched = (source: unknown, imports?: WebAssembly.Imports): Promise<unknown> => {
    if (!isMarker(source)) return original(source, imports);
    return (original(ortWasmModule, imports) as Promise<WebAssembly.Instance>).then((instance) => ({
      instance,
      module: ortWasmModule,
    }));
  };
  (WebAssembly as { instantiate: unknown }).instantiate = patched;
  ort.env.wasm.wasmBinary = WASM_MARKER.slice().buffer;
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  ort.env.logLevel = "error";
  ortConfigured = true;
}

function describe(error: unknown): string {
  if (error instanceof ModelUnavailableError) return error.reason;
  if (error instanceof Error) return error.message;
  return String(error);
}

async function createGenerator({ manifest, bytes }: VerifiedModel): Promise<Generator> {
  configureOrt();
  const started = Date.now();
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, {
      executionProviders: ["wasm"],
      graphOptimizationLevel: "all",
    });
  } catch (error) {
    throw new ModelUnavailableError(
      `${manifest.onnx.file} could not be loaded by onnxruntime-web: ${describe(error)}`,
    );
  }
  const missing = [ONNX_IO.latentInput, ONNX_IO.labelInput].filter(
    (n) => !session.inputNames.includes(n),
  );
  if (missing.length > 0 || !session.outputNames.includes(ONNX_IO.imageOutput)) {
    throw new ModelUnavailableError(
      `${manifest.onnx.file} has inputs [${session.inputNames}] and outputs [${session.outputNames}]; expected inputs [${ONNX_IO.latentInput}, ${ONNX_IO.labelInput}] and output ${ONNX_IO.imageOutput}`,
    );
  }
  const loadMs = Date.now() - started;
  // session.run is not re-entrant on one wasm session: queue runs one after another.
  let queue: Promise<unknown> = Promise.resolve();
  const runOnce = async (
    z: Float32Array,
    label: Float32Array,
    count: number,
  ): Promise<Float32Array> => {
    const feeds = {
      [ONNX_IO.latentInput]: new ort.Tensor("float32", z, [count, LATENT_SIZE]),
      [ONNX_IO.labelInput]: new ort.Tensor("float32", label, [count, NUM_CLASSES]),
    };
    const results = await session.run(feeds);
    const image = results[ONNX_IO.imageOutput];
    const dims = [count, 1, IMAGE_SIZE, IMAGE_SIZE];
    if (
      !image ||
      !(image.data instanceof Float32Array) ||
      image.dims.length !== dims.length ||
      image.dims.some((d, i) => d !== dims[i])
    ) {
      throw new Error(
        `output ${ONNX_IO.imageOutput} is ${image ? `${image.type} [${image.dims}]` : "missing"}; expected float32 [${dims}]`,
      );
    }
    const out = image.data;
    image.dispose();
    return out;
  };
  // One probe run (batch 2: also catches a fixed batch size) so that a model with the right
  // names but wrong shapes is refused here, as 503 on every route, instead of failing each run.
  const probe = 2;
  const probeLabel = new Float32Array(probe * NUM_CLASSES);
  for (let i = 0; i < probe; i++) probeLabel[i * NUM_CLASSES + i] = 1;
  try {
    await runOnce(new Float32Array(probe * LATENT_SIZE), probeLabel, probe);
  } catch (error) {
    throw new ModelUnavailableError(
      `${manifest.onnx.file} does not fit the model contract (${ONNX_IO.latentInput} float32 [N, ${LATENT_SIZE}], ${ONNX_IO.labelInput} float32 [N, ${NUM_CLASSES}] -> ${ONNX_IO.imageOutput} float32 [N, 1, ${IMAGE_SIZE}, ${IMAGE_SIZE}]): ${describe(error)}`,
    );
  }
  return {
    manifest,
    loadMs,
    run(z, label, count) {
      const next = queue.then(() => runOnce(z, label, count));
      queue = next.catch(() => undefined);
      return next;
    },
    release() {
      const released = queue.then(() => session.release());
      queue = released.then(() => Promise.reject(new ModelUnavailableError("session released")));
      queue.catch(() => undefined);
      return released;
    },
  };
}

/**
 * Create the per-isolate holder. Concurrent first callers share one creation promise;
 * a failure is kept (and reported with its reason) rather than retried on every request.
 * @param load gives the model bytes and manifest (bundled imports in production, injected in tests)
 */
export function createGeneratorHolder(load: () => RawModel | Promise<RawModel>): GeneratorHolder {
  let rawPromise: Promise<RawModel> | undefined;
  let manifest: Promise<ModelManifest> | undefined;
  let verified: Promise<VerifiedModel> | undefined;
  let generator: Promise<Generator> | undefined;
  const unavailable = (error: unknown): never => {
    throw new ModelUnavailableError(describe(error));
  };
  const raw = () => {
    rawPromise ??= Promise.resolve().then(load);
    return rawPromise;
  };
  const verify = () => {
    verified ??= raw()
      .then((model) => verifyModel(model, { whenMissing: WHEN_MISSING }))
      .catch(unavailable);
    return verified;
  };
  return {
    get() {
      generator ??= verify().then(createGenerator);
      return generator;
    },
    async verifiedManifest() {
      return (await verify()).manifest;
    },
    async release() {
      const created = generator;
      if (!created) return;
      await created.then(
        (g) => g.release(),
        () => undefined, // never created: nothing to release
      );
    },
    manifest() {
      manifest ??= raw()
        .then((model) => verifyModel(model, { checkBytes: false, whenMissing: WHEN_MISSING }))
        .then((checked) => checked.manifest, unavailable);
      return manifest;
    },
  };
}
