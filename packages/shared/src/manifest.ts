/**
 * The model manifest (`model.json`): the metadata that travels beside every `generator.onnx`.
 *
 * The trainer writes it, the edge worker reads it (and checks `onnx.sha256` against the
 * model bytes at load), `GET /model` shows it. One schema, so both sides agree on its shape.
 */
import { z } from "zod";
import {
  ARCHITECTURES,
  IMAGE_CHANNELS,
  IMAGE_SIZE,
  LATENT_SIZE,
  NUM_CLASSES,
  ONNX_IO,
  ONNX_WEIGHT_TYPES,
  type OnnxWeightType,
} from "./contract.ts";
import { memorisationSchema } from "./memorisation.ts";
import { GENERATOR_WIDTH_DESCRIPTION, recordedSettings } from "./train-config.ts";

export const MANIFEST_FORMAT_VERSION = 1;

const lossesSchema = z.object({ d: z.number(), g: z.number() });

/**
 * A path of the machine that wrote a manifest: absolute (POSIX, Windows drive or UNC) or under
 * a home directory. `GET /model` serves the manifest to anyone, so none may be recorded.
 */
export const MACHINE_PATH = /^(\/|~[\\/]|[A-Za-z]:[\\/]|\\\\)/;

/** Every string in `value` (nested objects and arrays too) with its path, for the checks below. */
function* stringsIn(
  value: unknown,
  path: (string | number)[] = [],
): Generator<[string, (string | number)[]]> {
  if (typeof value === "string") yield [value, path];
  else if (Array.isArray(value))
    for (const [i, item] of value.entries()) yield* stringsIn(item, [...path, i]);
  else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) yield* stringsIn(item, [...path, key]);
  }
}

/**
 * The training settings as recorded (the GAN's and the run's, train-config.ts): any JSON, but never
 * a path of the training machine. Read with today's names and without the command's fields
 * (out, resume, publish, preset), which manifests of earlier trainers carry, so `GET /model`
 * shows the same shape for every model, old or new.
 */
const recordedConfigSchema = z.preprocess(
  (config) =>
    config !== null && typeof config === "object" && !Array.isArray(config)
      ? recordedSettings(config as Record<string, unknown>)
      : config,
  z.record(z.string(), z.unknown()).superRefine((config, ctx) => {
    for (const [text, path] of stringsIn(config)) {
      if (MACHINE_PATH.test(text)) {
        ctx.addIssue({
          code: "custom",
          path,
          message: `is a path of the training machine ("${text}"); record a name instead (a model by name, version and sha256)`,
        });
      }
    }
  }),
);

/** A model another was distilled from, by identity (never by where its files were). */
export const teacherRefSchema = z
  .object({
    /** The model's name (its folder under apps/edge-api/models/, `?model=` when served). */
    name: z.string().min(1),
    version: z.string().min(1),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, "sha256 must be 64 lowercase hex digits"),
  })
  .strict();
export type TeacherRef = z.infer<typeof teacherRefSchema>;

export const modelManifestSchema = z.object({
  formatVersion: z.literal(MANIFEST_FORMAT_VERSION),
  /** Human-readable model version, e.g. "mnist-dcgan-2026-11-29-1a2b3c4d". */
  version: z.string().min(1),
  createdAt: z.string().min(1),
  onnx: z.object({
    /** The ONNX file's name, beside model.json (no folders: readers stay inside the model folder). */
    file: z
      .string()
      .regex(/^(?!\.\.?$)[^/\\]+$/, "must be a file name beside model.json, without folders"),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, "sha256 must be 64 lowercase hex digits"),
    bytes: z.number().int().positive(),
    opset: z.number().int().positive(),
    /** How the file stores weights; absent: float32 ({@link onnxWeightsOf}). */
    weights: z.enum(ONNX_WEIGHT_TYPES).optional(),
  }),
  arch: z.enum(ARCHITECTURES),
  /** The DCGAN generator's width (training.config's generatorWidth); absent: an MLP, or an early manifest (generatorWidthOf). */
  generatorWidth: z
    .number()
    .int()
    .positive()
    .optional()
    .meta({ description: GENERATOR_WIDTH_DESCRIPTION }),
  dataset: z.object({
    /** "mnist", "fashion-mnist", or a folder dataset's folder name: never a path (served to anyone). */
    name: z
      .string()
      .min(1)
      .refine((name) => !MACHINE_PATH.test(name), {
        message: "is a path of the training machine; record the dataset folder's name instead",
      }),
    /** Label i's name; a model trained on fewer classes than the contract's 10 lists only those. */
    classNames: z.array(z.string()).min(1).max(NUM_CLASSES),
  }),
  contract: z.object({
    latentSize: z.literal(LATENT_SIZE),
    numClasses: z.literal(NUM_CLASSES),
    imageShape: z.tuple([z.literal(IMAGE_CHANNELS), z.literal(IMAGE_SIZE), z.literal(IMAGE_SIZE)]),
    inputs: z.object({ z: z.literal(ONNX_IO.latentInput), label: z.literal(ONNX_IO.labelInput) }),
    output: z.literal(ONNX_IO.imageOutput),
    outputRange: z.tuple([z.literal(-1), z.literal(1)]),
    zDistribution: z.literal("standard-normal"),
  }),
  training: z.object({
    config: recordedConfigSchema,
    /** The model this one was distilled from (--teacher); null or absent: none. */
    teacher: teacherRefSchema.nullable().optional(),
    backend: z.string(),
    steps: z.number().int().nonnegative(),
    epochs: z.number().nonnegative(),
    wallTimeSeconds: z.number().nonnegative(),
    finalLosses: lossesSchema.nullable(),
    emaDecay: z.number().nullable(),
  }),
  parity: z.object({ maxAbsDiff: z.number().nonnegative(), samples: z.number().int().positive() }),
  /**
   * Evaluation metrics, merged in by `npm run eval` when present (packages/eval/src/metrics.ts);
   * its memorisation figure is checked against its schema, the rest passes as written.
   */
  eval: z.looseObject({ memorisation: memorisationSchema.optional() }).optional(),
});

export type ModelManifest = z.infer<typeof modelManifestSchema>;

/** The contract block every manifest carries, built from the constants. */
export function manifestContract(): ModelManifest["contract"] {
  return {
    latentSize: LATENT_SIZE,
    numClasses: NUM_CLASSES,
    imageShape: [IMAGE_CHANNELS, IMAGE_SIZE, IMAGE_SIZE],
    inputs: { z: ONNX_IO.latentInput, label: ONNX_IO.labelInput },
    output: ONNX_IO.imageOutput,
    outputRange: [-1, 1],
    zDistribution: "standard-normal",
  };
}

/** How the manifest's ONNX file stores its weights (manifests before float16 files say nothing: float32). */
export function onnxWeightsOf(manifest: Pick<ModelManifest, "onnx">): OnnxWeightType {
  return manifest.onnx.weights ?? "float32";
}

/**
 * The latent temperature T of the manifest's ONNX file (its first node multiplies z by T):
 * training.config's latentTemperature, 1 for manifests written before it was an option.
 */
export function latentTemperatureOf(manifest: Pick<ModelManifest, "training">): number {
  const recorded = manifest.training.config.latentTemperature;
  return typeof recorded === "number" ? recorded : 1;
}

/** Width of the generator of the manifests written before the width was an option. */
const EARLY_GENERATOR_WIDTH = 128;

/** The DCGAN generator's width (channels of its 7x7 map), or null for the MLP GAN. */
export function generatorWidthOf(
  manifest: Pick<ModelManifest, "arch" | "generatorWidth">,
): number | null {
  if (manifest.arch !== "dcgan") return null;
  return manifest.generatorWidth ?? EARLY_GENERATOR_WIDTH;
}

/**
 * Parse and validate a manifest (already JSON-parsed).
 * @throws Error naming the first wrong field and what is accepted.
 */
export function parseManifest(value: unknown): ModelManifest {
  const result = modelManifestSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.join(".") || "(root)";
    throw new Error(`model.json is not a valid manifest: ${where}: ${issue?.message}`);
  }
  return result.data;
}
