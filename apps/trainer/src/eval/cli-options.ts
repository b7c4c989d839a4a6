/**
 * Flags of `edgegan eval` and `edgegan synth`, declared once as zod schemas: the flags, their help
 * text, their defaults and their validation all come from these (schema-flags.ts), and the
 * commands run with the parsed flags as they are. Parsed and validated before anything runs.
 *
 * The commands resolve relative paths against the folder the user ran them in (see
 * invocation-dir.ts: turbo's TURBO_INVOCATION_DIR, npm's INIT_CWD, else the current folder).
 */
import { DEFAULT_EVAL_SEED, equalCounts, SAMPLES_PER_CLASS } from "@edgegan/eval/eval-plan";
import { MEMORISATION_SAMPLES } from "@edgegan/eval/memorisation";
import { NUM_CLASSES } from "@edgegan/shared";
import { MAX_SEED } from "@edgegan/shared/rng";
import { BACKENDS } from "@edgegan/shared/train-config";
import { z } from "zod";
import type { ParsedFlags } from "../cli-runner.ts";
import { EDGE_MODEL_DIR } from "../commands/edge-models.ts";
import { flagsHelp, parseFlags, requiredFlag } from "../schema-flags.ts";

const integerIn = (min: number, max: number) => {
  const message = `must be an integer in ${min}..${max}`;
  return z.number().int(message).min(min, message).max(max, message);
};
const seed = integerIn(0, MAX_SEED)
  .default(DEFAULT_EVAL_SEED)
  .meta({ value: "S", description: "seed of the sample plan" });

export const evalFlagsSchema = z
  .object({
    model: z.array(z.string().min(1)).min(1).default([EDGE_MODEL_DIR]).meta({
      value: "DIR",
      description:
        "model folder (model.json + its ONNX), default: the shipped model; repeat it to compare models in one run (same classifier, floor and samples)",
    }),
    dataset: z.string().min(1).nullable().default(null).meta({
      value: "NAME",
      description:
        "mnist, fashion-mnist, a directory of IDX files or folder:DIR of class subfolders (default: the manifest's; needed for a folder's model)",
    }),
    perClass: integerIn(1, 100_000)
      .default(SAMPLES_PER_CLASS)
      .meta({ description: "samples per class" }),
    memorisationSamples: integerIn(0, 1_000_000).default(MEMORISATION_SAMPLES).meta({
      description:
        "samples searched for their nearest training image (near-copy share; at most the plan's size, 0: skip)",
    }),
    seed,
    backend: z
      .enum(BACKENDS)
      .default("wasm")
      .meta({ description: "TF.js backend for the classifier" }),
    noWrite: z.boolean().default(false).meta({ description: "print the table only" }),
  })
  .strict();

/** The flags of `edgegan eval`, parsed (paths as given). */
export type EvalFlags = z.infer<typeof evalFlagsSchema>;

export const EVAL_USAGE = `Usage: edgegan eval [flags]   (npm run eval -- [flags])

Evaluates a generator ONNX: Frechet distance of classifier features (samples vs the test split)
beside the floor (train vs test), label accuracy (overall, per class), coverage, and whether it
copies its training images (near-copy share of samples vs held-out test images). Writes
eval.json and eval-samples.png beside the model and merges the metrics into model.json.

${flagsHelp(evalFlagsSchema)}
The shipped model: ${EDGE_MODEL_DIR}
The classifier is trained on first use (a few minutes) and cached in apps/trainer/.cache/classifier/ (or $EDGEGAN_CACHE_DIR).
`;

/** Parse `edgegan eval` flags. */
export function parseEvalArgs(argv: string[]): ParsedFlags<EvalFlags> {
  return parseFlags(evalFlagsSchema, argv);
}

export const synthFlagsSchema = z
  .object({
    count: integerIn(1, 10_000_000)
      .nullable()
      .default(null)
      .meta({ description: `images in all, split equally over the ${NUM_CLASSES} classes` }),
    out: z
      .string({ error: requiredFlag })
      .min(1)
      .meta({ value: "DIR", description: "output folder (created if needed)" }),
    perClass: z
      .array(z.number().int().min(0))
      .nullable()
      .default(null)
      .meta({
        description: `${NUM_CLASSES} comma-separated counts instead of an equal split (e.g. 0,0,500,0,0,0,0,0,500,0); with --count they must sum to it`,
      }),
    model: z.string().min(1).default(EDGE_MODEL_DIR).meta({
      value: "DIR",
      description: "model folder",
      defaultText: "the shipped model",
    }),
    seed: integerIn(0, MAX_SEED)
      .default(0)
      .meta({ value: "S", description: "seed of the latent vectors" }),
  })
  .strict()
  .superRefine(
    (flags, ctx) => {
      const { perClass, count } = flags;
      if (perClass === null) {
        if (count === null) {
          ctx.addIssue({
            code: "custom",
            path: ["count"],
            message: "is required (or --per-class)",
          });
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
    },
    // also when --out alone is missing, so that every missing flag is named at once
    { when: (payload) => payload.issues.every((issue) => issue.path?.[0] === "out") },
  );

/** The flags of `edgegan synth`, parsed (paths as given; `out` and the counts checked present). */
export type SynthFlags = z.infer<typeof synthFlagsSchema>;

/** Images per class: --per-class as given, or --count split equally. */
export function synthCounts(flags: SynthFlags): number[] {
  return flags.perClass ?? equalCounts(flags.count ?? 0);
}

export const SYNTH_USAGE = `Usage: edgegan synth --count N --out DIR [flags]   (npm run synth -- ...)

Writes a labelled synthetic dataset from a generator ONNX as IDX files (train-images-idx3-ubyte,
train-labels-idx1-ubyte) plus synth.json; the trainer reads it with --dataset DIR.

${flagsHelp(synthFlagsSchema)}
The shipped model: ${EDGE_MODEL_DIR}
`;

/** Parse `edgegan synth` flags. */
export function parseSynthArgs(argv: string[]): ParsedFlags<SynthFlags> {
  return parseFlags(synthFlagsSchema, argv);
}
