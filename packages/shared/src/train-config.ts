/**
 * Training settings, each declared once here with its bounds, default and description: the
 * trainer's flags, its --config files, its help text and its defaults, `createGan` and the
 * generator builder all read these fields, and a model card records them under the same names.
 *
 * Three groups, by what a setting belongs to:
 * - the GAN (ganSettingsSchema): the networks and the recipe of their optimisation step, exactly
 *   what `createGan` takes;
 * - the run (runSettingsSchema): the data, the schedule, the machine and the reporting;
 * - the command (trainCommandSchema): where this invocation writes, how it starts and what it does
 *   after; never recorded in a model card.
 * Defaults follow DCGAN practice: Adam 2e-4, beta1 0.5, batch 64, z ~ N(0, 1).
 */
import { z } from "zod";
import { ARCHITECTURES, ONNX_WEIGHT_TYPES } from "./contract.ts";

export const BACKENDS = ["auto", "tensorflow", "webgpu", "wasm", "cpu"] as const;
export type BackendName = (typeof BACKENDS)[number];

export const PRESETS = ["full", "quick"] as const;

/** GAN losses: the non-saturating sigmoid cross-entropy, or the hinge loss. */
export const GAN_LOSSES = ["bce", "hinge"] as const;
export type GanLoss = (typeof GAN_LOSSES)[number];

/** Learning-rate schedules: constant rates, or a linear fall to 0 over the end of the run. */
export const LR_DECAYS = ["none", "linear"] as const;
export type LrDecay = (typeof LR_DECAYS)[number];

const MAX_UINT32 = 0xffffffff;

const wholeNumber = "must be a whole number";

/** What the generator width is: the setting's help text, and the served cards' description of it. */
export const GENERATOR_WIDTH_DESCRIPTION =
  "DCGAN generator width: channels of its 7x7 map, the 14x14 map has half (64 = lean, ~3.6x fewer MACs)";

/** What the latent temperature is: the trainer's and `edgegan temper`'s help text. */
export const LATENT_TEMPERATURE_DESCRIPTION =
  "generator.onnx multiplies its z ~ N(0, 1) by T before the generator (below 1: samples nearer their class's typical image, read as asked more often and less varied; npm run eval measures the trade)";

/** A latent temperature's accepted values (`params`: e.g. how a command words a missing one). */
export function latentTemperatureSchema(params?: Parameters<typeof z.number>[0]) {
  return z.number(params).gt(0).max(2);
}

/** The GAN: its networks and the recipe of one optimisation step (`createGan`'s settings). */
export const ganSettingsSchema = z
  .object({
    arch: z.enum(ARCHITECTURES).default("dcgan").meta({
      description: "conditional DCGAN or the MLP GAN",
    }),
    // MACs per image grow with the square of the width (the first transposed conv is 95% of
    // them): 128 -> 7.3 M (the full-width model), 64 -> 2.0 M (the lean one)
    generatorWidth: z
      .number()
      .int(wholeNumber)
      .min(8)
      .max(512)
      .refine((w) => w % 2 === 0, "must be even (the 14x14 map has half as many channels)")
      .default(128)
      .meta({ description: GENERATOR_WIDTH_DESCRIPTION }),
    loss: z.enum(GAN_LOSSES).default("bce").meta({
      description:
        "bce: sigmoid cross-entropy, non-saturating L_G; hinge: L_D = E relu(1 - D(x)) + E relu(1 + D(G(z))), L_G = -E D(G(z)) (ignores --real-label-target)",
    }),
    spectralNorm: z.boolean().default(false).meta({
      description:
        "spectral normalisation in D: each conv and dense kernel divided by its largest singular value (one power iteration per step; D then has no BatchNorm)",
    }),
    minibatchStddev: z.boolean().default(false).meta({
      description:
        "D also sees how much the images of its batch differ: one more channel on its last features, the batch's mean standard deviation (ProGAN), against too little variety",
    }),
    projection: z.boolean().default(false).meta({
      description:
        "D also scores the label by projection: logit + <e_label, features>, a learned vector per class against D's last features (Miyato & Koyama 2018); the label maps stay",
    }),
    diffAugment: z.boolean().default(false).meta({
      description:
        "D sees every image, real and fake, shifted by up to 3 pixels and with a 14x14 square cut to background (DiffAugment: translation + cutout, differentiable, so G learns through it); drawn from the run's RNG",
    }),
    lr: z.number().gt(0).max(1).default(2e-4).meta({ description: "Adam learning rate" }),
    dLr: z.number().gt(0).max(1).nullable().default(null).meta({
      description: "D's Adam learning rate, for two time-scale updates (default: --lr)",
    }),
    gLr: z.number().gt(0).max(1).nullable().default(null).meta({
      description: "G's Adam learning rate, for two time-scale updates (default: --lr)",
    }),
    lrDecay: z.enum(LR_DECAYS).default("none").meta({
      description:
        "none: constant rates; linear: after --lr-decay-start of the run's planned steps (--epochs, --max-steps), G's and D's rates fall linearly to 0 at the run's end",
    }),
    lrDecayStart: z.number().min(0).lt(1).default(0.5).meta({
      description:
        "with --lr-decay linear: the fraction of the planned steps run at the full rates before the fall",
    }),
    beta1: z.number().min(0).lt(1).default(0.5).meta({ description: "Adam beta1" }),
    realLabelTarget: z.number().gt(0.5).max(1).default(0.9).meta({
      description: "target for real images in L_D (below 1: one-sided label smoothing)",
    }),
    distillWeight: z.number().min(0).max(1e4).default(10).meta({
      description: "weight of the distillation term mean |G - teacher| in L_G (with --teacher)",
    }),
  })
  .strict();

/** The GAN's settings, every field present (`createGan`'s config). */
export type GanSettings = z.infer<typeof ganSettingsSchema>;

/**
 * The GAN's settings from the given ones, the schema's defaults filling the rest.
 * @throws Error listing each bad field: "lr: Too small: expected number to be >0 (got 0)"
 */
export function parseGanSettings(given: Partial<GanSettings>): GanSettings {
  const result = ganSettingsSchema.safeParse(given);
  if (result.success) return result.data;
  throw new Error(
    result.error.issues
      .map((issue) => {
        const key = String(issue.path[0] ?? "settings");
        return `${key}: ${issue.message} (got ${JSON.stringify((given as Record<string, unknown>)[key])})`;
      })
      .join("; "),
  );
}

/** The run: what it learns from, for how long, on what, and what it reports. */
export const runSettingsSchema = z
  .object({
    dataset: z
      .string()
      .min(1, "must be mnist, fashion-mnist, a directory of IDX files or folder:DIR")
      .default("mnist")
      .meta({
        value: "mnist|fashion-mnist|DIR|folder:DIR",
        description:
          "training data (DIR: train-images/-labels IDX files; folder:DIR: a subfolder of PNG/JPEG images per class, up to 10)",
      }),
    limitImages: z.number().int(wholeNumber).min(1).nullable().default(null).meta({
      description: "train on the first N images only",
    }),
    teacher: z.string().min(1).nullable().default(null).meta({
      value: "DIR",
      description:
        "distil: also learn to reproduce the images of this model folder (generator.onnx + model.json)",
    }),
    batchSize: z
      .number()
      .int(wholeNumber)
      .min(2)
      .max(4096)
      .default(64)
      .meta({ description: "images per step" }),
    emaDecay: z.number().min(0).lt(1).default(0.999).meta({
      description: "EMA decay of the exported generator",
    }),
    seed: z.number().int(wholeNumber).min(0).max(MAX_UINT32).default(42).meta({
      description: "uint32 seed for data order and z",
    }),
    epochs: z
      .number()
      .int(wholeNumber)
      .min(1)
      .max(10_000)
      .default(5)
      .meta({ description: "passes over the data" }),
    maxSteps: z.number().int(wholeNumber).min(1).nullable().default(null).meta({
      description: "stop after N steps in total (across resumes)",
    }),
    maxMinutes: z.number().gt(0).nullable().default(null).meta({
      description: "stop once the run has trained X minutes in total (compare runs at equal time)",
    }),
    backend: z.enum(BACKENDS).default("auto").meta({
      description: "TF.js backend (auto: tensorflow, then wasm, then cpu)",
    }),
    workers: z.number().int(wholeNumber).min(1).max(64).nullable().default(null).meta({
      description:
        "data-parallel: split each batch over N cores (default: all of them for the DCGAN, 1 for the MLP)",
    }),
    evalEvery: z.number().int(wholeNumber).min(0).default(0).meta({
      description:
        "every N epochs, measure Frechet distance and label accuracy of the EMA generator (0: off; ~20 s each)",
    }),
    metricsEvery: z.number().int(wholeNumber).min(1).default(25).meta({
      description: "a metrics.jsonl line every N steps",
    }),
    checkpointMinutes: z.number().min(0).default(5).meta({
      description:
        "also checkpoint within an epoch every X minutes (0: only at epoch ends and on signals)",
    }),
    logdir: z.string().min(1).nullable().default(null).meta({
      value: "DIR",
      description:
        "also write TensorBoard event files to DIR: losses, D(x), D(G(z)), images/s, sample grids, eval",
    }),
    onnxWeights: z.enum(ONNX_WEIGHT_TYPES).default("float32").meta({
      description: "how generator.onnx stores weights (float16: half the bytes, parity gate 2e-3)",
    }),
    latentTemperature: latentTemperatureSchema()
      .default(1)
      .meta({
        value: "T",
        description: `${LATENT_TEMPERATURE_DESCRIPTION}; not used in training, so a finished run re-exports with another T by --resume`,
      }),
  })
  .strict();

/** The command's own fields: this invocation's, never recorded in a model card. */
export const trainCommandSchema = z
  .object({
    config: z.string().min(1).nullable().default(null).meta({
      value: "FILE",
      description:
        "a JSON or YAML file of these settings (keys as in model.json, e.g. batchSize, or as the flags, batch-size; paths relative to the file); flags given win",
    }),
    preset: z.enum(PRESETS).default("full").meta({
      description: "quick: a few hundred steps at a higher rate, ~5 min here, digits forming",
    }),
    out: z
      .string()
      .min(1)
      .default("artifacts/run")
      .meta({ value: "DIR", description: "run folder" }),
    resume: z.boolean().default(false).meta({ description: "continue from DIR/checkpoint.bin" }),
    publish: z.boolean().default(false).meta({
      description:
        "copy the verified generator.onnx + model.json into the --publish-dir folder, as <dataset>/",
    }),
    publishDir: z.string().min(1).nullable().default(null).meta({
      value: "DIR",
      description:
        "the models folder --publish copies into (default: the edge API's, apps/edge-api/models/, resolved by the command)",
    }),
  })
  .strict();

/** The defaults of the GAN's settings, from the schema. */
export const DEFAULT_GAN_SETTINGS: GanSettings = ganSettingsSchema.parse({});

const GAN_FIELDS = Object.keys(ganSettingsSchema.shape) as (keyof GanSettings)[];

/** Every setting of `edgegan train`: the GAN's, the run's and the command's. */
export const trainConfigSchema = z
  .object({ ...ganSettingsSchema.shape, ...runSettingsSchema.shape, ...trainCommandSchema.shape })
  .strict()
  .refine((c) => c.arch === "dcgan" || c.generatorWidth === DEFAULT_GAN_SETTINGS.generatorWidth, {
    path: ["generatorWidth"],
    message: "sets the DCGAN generator's width; --arch mlp has none",
  });

export type TrainConfig = z.infer<typeof trainConfigSchema>;

/** Defaults of a full run, from the schema (the shipped models are trained from these). */
export const DEFAULT_TRAIN_CONFIG: TrainConfig = trainConfigSchema.parse({});

/** The GAN's settings of a training config (what `createGan` takes). */
export function ganSettingsOf(config: TrainConfig): GanSettings {
  return Object.fromEntries(GAN_FIELDS.map((key) => [key, config[key]])) as GanSettings;
}

/** What `--preset quick` changes: about 5 minutes here, the digits already forming (docs/training.md). */
export const QUICK_PRESET: Partial<TrainConfig> = {
  epochs: 1,
  maxSteps: 400,
  // measured at 400 steps: label accuracy 62.6% and Frechet distance 40.2 with 5e-4, 49.7% and 58.4 with 2e-4
  lr: 5e-4,
  out: "artifacts/quick",
  metricsEvery: 10,
};

/** The command's fields by name: what a model card leaves out. */
export const COMMAND_FIELDS = Object.keys(trainCommandSchema.shape) as readonly string[];

/**
 * Names that earlier trainers wrote (in checkpoints, config files and model cards) for a field
 * that now has another: the generator's width was `gWidth` in training.config.
 */
const RENAMED_FIELDS: Readonly<Record<string, keyof TrainConfig>> = { gWidth: "generatorWidth" };

/** A field's name today, given the name it had in an earlier trainer's record. */
export function currentFieldName(name: string): string {
  return Object.hasOwn(RENAMED_FIELDS, name) ? (RENAMED_FIELDS[name] as string) : name;
}

/**
 * A recorded config read with today's names: renamed fields under their new name (the new name
 * wins when both are there). Unknown fields pass unchanged.
 */
export function withCurrentNames(recorded: Record<string, unknown>): Record<string, unknown> {
  const current: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(recorded)) {
    const name = currentFieldName(key);
    if (name === key || !Object.hasOwn(recorded, name)) current[name] = value;
  }
  return current;
}

/**
 * The settings a model card records (the GAN's and the run's), read with today's names and
 * without the command's fields, which older trainers also wrote.
 */
export function recordedSettings(config: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(withCurrentNames(config)).filter(([key]) => !COMMAND_FIELDS.includes(key)),
  );
}

/**
 * Fields that define a run's identity: a checkpoint is only resumed by a run whose values match.
 * The GAN's settings and the run's data, batch, EMA and seed; the schedule, the machine and the
 * reporting may change between resumes. The teacher belongs to the identity too, but as the
 * model it names (version and sha256), not as a path: the trainer compares it when it has opened
 * it, so a run resumes from another checkout or machine.
 */
export const RUN_IDENTITY_FIELDS = [
  ...GAN_FIELDS,
  "dataset",
  "limitImages",
  "batchSize",
  "emaDecay",
  "seed",
] as const satisfies readonly (keyof TrainConfig)[];

/**
 * The identity fields on which a checkpoint's config and this run's differ, e.g.
 * ["lr: checkpoint has 0.0002, this run has 0.001"]. A field that an older checkpoint does not
 * carry counts as its default (the value that run had); an older name counts as today's.
 */
export function identityMismatches(saved: Record<string, unknown>, current: TrainConfig): string[] {
  const recorded = withCurrentNames(saved);
  const savedValue = (k: (typeof RUN_IDENTITY_FIELDS)[number]) =>
    recorded[k] ?? DEFAULT_TRAIN_CONFIG[k];
  return RUN_IDENTITY_FIELDS.filter((k) => savedValue(k) !== current[k]).map(
    (k) =>
      `${k}: checkpoint has ${JSON.stringify(savedValue(k))}, this run has ${JSON.stringify(current[k])}`,
  );
}
