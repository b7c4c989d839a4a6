/**
 * Flags of `edgegan eval` and `edgegan synth`, declared once as zod schemas: the flags, their help
 * text and their validation all come from these (schema-flags.ts). Parsed and validated before
 * anything runs.
 *
 * Relative paths are resolved against the folder the user ran the command in (see
 * invocation-dir.ts: turbo's TURBO_INVOCATION_DIR, npm's INIT_CWD, else the current folder).
 */
import { equalCounts } from "@edgegan/eval/eval-plan";
import { MEMORISATION_SAMPLES } from "@edgegan/eval/memorisation";
import { NUM_CLASSES } from "@edgegan/shared";
import { MAX_SEED } from "@edgegan/shared/rng";
import { BACKENDS, type BackendName } from "@edgegan/shared/train-config";
import { z } from "zod";
import type { ParsedFlags } from "../cli-runner.ts";
import { datasetFromInvocationDir } from "../dataset.ts";
import { EDGE_MODEL_DIR } from "../export-artifact.ts";
import { fromInvocationDir } from "../invocation-dir.ts";
import { flagsHelp, parseFlags } from "../schema-flags.ts";

const integerIn = (min: number, max: number) => {
  const message = `must be an integer in ${min}..${max}`;
  return z.number().int(message).min(min, message).max(max, message);
};
const seed = integerIn(0, MAX_SEED).meta({ value: "S", description: "seed of the sample plan" });

export const evalFlagsSchema = z
  .object({
    model: z.array(z.string().min(1)).min(1).meta({
      value: "DIR",
      description:
        "model folder (model.json + its ONNX), default: the shipped model; repeat it to compare models in one run (same classifier, floor and samples)",
    }),
    dataset: z.string().min(1).nullable().meta({
      value: "NAME",
      description:
        "mnist, fashion-mnist, a directory of IDX files or folder:DIR of class subfolders (default: the manifest's)",
    }),
    perClass: integerIn(1, 100_000).meta({ description: "samples per class" }),
    memorisationSamples: integerIn(0, 1_000_000).meta({
      description:
        "samples searched for their nearest training image (near-copy share; at most the plan's size, 0: skip)",
    }),
    seed,
    backend: z.enum(BACKENDS).meta({ description: "TF.js backend for the classifier" }),
    noWrite: z.boolean().meta({ description: "print the table only" }),
  })
  .strict();

const EVAL_DEFAULTS = {
  model: [EDGE_MODEL_DIR],
  dataset: null,
  perClass: 1000,
  memorisationSamples: MEMORISATION_SAMPLES,
  seed: 0,
  backend: "wasm",
  noWrite: false,
} satisfies z.infer<typeof evalFlagsSchema>;

/** Options of `edgegan eval`. */
export interface EvalCliOptions {
  /** One model, or several compared in one run (same classifier, floor and sample plan). */
  modelDirs: string[];
  /** null: the manifest's dataset. */
  dataset: string | null;
  samplesPerClass: number;
  /** Samples searched for near-copies (0: no memorisation figure). */
  memorisationSamples: number;
  seed: number;
  backend: BackendName;
  /** false with --no-write: print only. */
  write: boolean;
}

export const EVAL_USAGE = `Usage: edgegan eval [flags]   (npm run eval -- [flags])

Evaluates a generator ONNX: Frechet distance of classifier features (samples vs the test split)
beside the floor (train vs test), label accuracy (overall, per class), coverage, and whether it
copies its training images (near-copy share of samples vs held-out test images). Writes
eval.json and eval-samples.png beside the model and merges the metrics into model.json.

${flagsHelp(evalFlagsSchema, { ...EVAL_DEFAULTS, model: undefined })}
The shipped model: ${EDGE_MODEL_DIR}
The classifier is trained on first use (a few minutes) and cached in apps/trainer/.cache/classifier/ (or $EDGEGAN_CACHE_DIR).
`;

/** Parse `edgegan eval` flags. */
export function parseEvalArgs(argv: string[]): ParsedFlags<EvalCliOptions> {
  const parsed = parseFlags(evalFlagsSchema, argv, EVAL_DEFAULTS);
  if (parsed.kind !== "ok") return parsed;
  const flags = parsed.options;
  return {
    kind: "ok",
    options: {
      modelDirs: flags.model.map((dir) => fromInvocationDir(dir)),
      dataset: flags.dataset === null ? null : datasetFromInvocationDir(flags.dataset),
      samplesPerClass: flags.perClass,
      memorisationSamples: flags.memorisationSamples,
      seed: flags.seed,
      backend: flags.backend,
      write: !flags.noWrite,
    },
  };
}

export const synthFlagsSchema = z
  .object({
    count: integerIn(1, 10_000_000)
      .nullable()
      .meta({ description: `images in all, split equally over the ${NUM_CLASSES} classes` }),
    out: z.string().min(1).nullable().meta({
      value: "DIR",
      description: "output folder (created if needed)",
    }),
    perClass: z
      .array(z.number().int().min(0))
      .nullable()
      .meta({
        description: `${NUM_CLASSES} comma-separated counts instead of an equal split (e.g. 0,0,500,0,0,0,0,0,500,0); with --count they must sum to it`,
      }),
    model: z.string().min(1).meta({
      value: "DIR",
      description: "model folder (default: the shipped model)",
    }),
    seed: integerIn(0, MAX_SEED).meta({ value: "S", description: "seed of the latent vectors" }),
  })
  .strict()
  .superRefine((flags, ctx) => {
    if (flags.out === null) ctx.addIssue({ code: "custom", path: ["out"], message: "is required" });
    const { perClass, count } = flags;
    if (perClass === null) {
      if (count === null) {
        ctx.addIssue({ code: "custom", path: ["count"], message: "is required (or --per-class)" });
      }
      return;
    }
    if (perClass.length !== NUM_CLASSES || perClass.every((n) => n === 0)) {
      ctx.addIssue({
        code: "custom",
        path: ["perClass"],
        message: `must be ${NUM_CLASSES} comma-separated non-negative integers, not all 0`,
      });
    } else if (count !== null && perClass.reduce((a, b) => a + b, 0) !== count) {
      ctx.addIssue({
        code: "custom",
        path: ["perClass"],
        message: `sums to ${perClass.reduce((a, b) => a + b, 0)}, but --count is ${count}`,
      });
    }
  });

const SYNTH_DEFAULTS = {
  count: null,
  out: null,
  perClass: null,
  model: EDGE_MODEL_DIR,
  seed: 0,
} satisfies z.infer<typeof synthFlagsSchema>;

/** Options of `edgegan synth`. */
export interface SynthCliOptions {
  modelDir: string;
  outDir: string;
  /** Images per class (sums to the count). */
  perClass: number[];
  seed: number;
}

export const SYNTH_USAGE = `Usage: edgegan synth --count N --out DIR [flags]   (npm run synth -- ...)

Writes a labelled synthetic dataset from a generator ONNX as IDX files (train-images-idx3-ubyte,
train-labels-idx1-ubyte) plus synth.json; the trainer reads it with --dataset DIR.

${flagsHelp(synthFlagsSchema, { ...SYNTH_DEFAULTS, model: undefined })}
The shipped model: ${EDGE_MODEL_DIR}
`;

/** Parse `edgegan synth` flags. */
export function parseSynthArgs(argv: string[]): ParsedFlags<SynthCliOptions> {
  const parsed = parseFlags(synthFlagsSchema, argv, SYNTH_DEFAULTS);
  if (parsed.kind !== "ok") return parsed;
  const { count, out, perClass, model, seed } = parsed.options;
  return {
    kind: "ok",
    options: {
      modelDir: fromInvocationDir(model),
      outDir: fromInvocationDir(out as string),
      perClass: perClass ?? equalCounts(count as number),
      seed,
    },
  };
}
