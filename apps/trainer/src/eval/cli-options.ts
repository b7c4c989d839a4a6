/**
 * Flags of `npm run eval` and `npm run synth`, parsed and validated before anything runs.
 *
 * Relative paths are resolved against the folder the user ran the command in (see
 * invocation-dir.ts: turbo's TURBO_INVOCATION_DIR, else the current folder).
 */
import { type ParseArgsConfig, parseArgs } from "node:util";
import { NUM_CLASSES } from "@edgegan/shared";
import { MAX_SEED } from "@edgegan/shared/rng";
import { BACKENDS, type BackendName } from "@edgegan/shared/train-config";
import type { ParsedFlags } from "../cli-runner.ts";
import { EDGE_MODEL_DIR } from "../export-artifact.ts";
import { fromInvocationDir } from "../invocation-dir.ts";
import { equalCounts } from "./eval-plan.ts";

export type Parsed<T> = ParsedFlags<T>;

function positiveInt(
  name: string,
  value: string | undefined,
  errors: string[],
  max = 1e9,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > max) {
    errors.push(`--${name} must be an integer in 1..${max}, got "${value}"`);
    return undefined;
  }
  return n;
}

function seedOf(value: string | undefined, errors: string[]): number {
  if (value === undefined) return 0;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > MAX_SEED) {
    errors.push(`--seed must be an integer in 0..${MAX_SEED}, got "${value}"`);
    return 0;
  }
  return n;
}

function backendOf(value: string | undefined, errors: string[]): BackendName {
  const backend = (value ?? "wasm") as BackendName;
  if (!(BACKENDS as readonly string[]).includes(backend)) {
    errors.push(`--backend must be one of ${BACKENDS.join(", ")}, got "${value}"`);
  }
  return backend;
}

type FlagValues = Record<string, string | boolean | string[] | undefined>;

function run<T>(
  argv: string[],
  spec: NonNullable<ParseArgsConfig["options"]>,
  build: (values: FlagValues, errors: string[]) => T,
): Parsed<T> {
  let values: FlagValues;
  try {
    values = parseArgs({
      args: argv,
      options: { ...spec, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals: false,
    }).values as FlagValues;
  } catch (error) {
    return { kind: "error", errors: [error instanceof Error ? error.message : String(error)] };
  }
  if (values.help) return { kind: "help" };
  const errors: string[] = [];
  const options = build(values, errors);
  return errors.length ? { kind: "error", errors } : { kind: "ok", options };
}

/** Options of `npm run eval`. */
export interface EvalCliOptions {
  /** One model, or several compared in one run (same classifier, floor and sample plan). */
  modelDirs: string[];
  /** null: the manifest's dataset. */
  dataset: string | null;
  samplesPerClass: number;
  seed: number;
  backend: BackendName;
  /** false with --no-write: print only. */
  write: boolean;
}

export const EVAL_USAGE = `Usage: npm run eval -- [flags]   (or: npx turbo run eval -- [flags])

Evaluates a generator ONNX: Frechet distance of classifier features (samples vs the test split)
beside the floor (train vs test), label accuracy (overall, per class) and coverage. Writes
eval.json and eval-samples.png beside the model and merges the metrics into model.json.

  --model DIR        model folder (model.json + its ONNX); default: the shipped model
                     ${EDGE_MODEL_DIR}
                     repeat it to compare models in one run: same classifier, floor and
                     samples, then a table with each Frechet distance as a ratio to the first
  --dataset NAME     mnist, fashion-mnist or a directory of IDX files; default: the manifest's
  --per-class N      samples per class, default 1000 (10,000 in all)
  --seed S           seed of the sample plan, default 0
  --backend NAME     TF.js backend for the classifier: ${BACKENDS.join(", ")} (default wasm)
  --no-write         print the table only
  -h, --help
The classifier is trained on first use (a few minutes) and cached in apps/trainer/.cache/classifier/ (or $EDGEGAN_CACHE_DIR).
`;

/** Parse `npm run eval` flags. */
export function parseEvalArgs(argv: string[]): Parsed<EvalCliOptions> {
  return run(
    argv,
    {
      model: { type: "string", multiple: true },
      dataset: { type: "string" },
      "per-class": { type: "string" },
      seed: { type: "string" },
      backend: { type: "string" },
      "no-write": { type: "boolean" },
    },
    (v, errors) => ({
      modelDirs: (v.model as string[] | undefined)?.map((dir) => fromInvocationDir(dir)) ?? [
        EDGE_MODEL_DIR,
      ],
      dataset: (v.dataset as string | undefined) ?? null,
      samplesPerClass:
        positiveInt("per-class", v["per-class"] as string | undefined, errors, 100_000) ?? 1000,
      seed: seedOf(v.seed as string | undefined, errors),
      backend: backendOf(v.backend as string | undefined, errors),
      write: !v["no-write"],
    }),
  );
}

/** Options of `npm run synth`. */
export interface SynthCliOptions {
  modelDir: string;
  outDir: string;
  /** Images per class (sums to the count). */
  perClass: number[];
  seed: number;
}

export const SYNTH_USAGE = `Usage: npm run synth -- --count N --out DIR [flags]

Writes a labelled synthetic dataset from a generator ONNX as IDX files (train-images-idx3-ubyte,
train-labels-idx1-ubyte) plus synth.json; the trainer reads it with --dataset DIR.

  --count N          images in all, split equally over the ${NUM_CLASSES} classes
  --out DIR          output folder (created if needed)
  --per-class LIST   ${NUM_CLASSES} comma-separated counts instead of an equal split
                     (e.g. 0,0,500,0,0,0,0,0,500,0); with --count they must sum to it
  --model DIR        model folder; default: the shipped model ${EDGE_MODEL_DIR}
  --seed S           seed of the latent vectors, default 0
  -h, --help
`;

/** Parse `npm run synth` flags. */
export function parseSynthArgs(argv: string[]): Parsed<SynthCliOptions> {
  return run(
    argv,
    {
      count: { type: "string" },
      out: { type: "string" },
      "per-class": { type: "string" },
      model: { type: "string" },
      seed: { type: "string" },
    },
    (v, errors) => {
      const count = positiveInt("count", v.count as string | undefined, errors, 10_000_000);
      let perClass: number[] = [];
      const list = v["per-class"] as string | undefined;
      if (list !== undefined) {
        perClass = list.split(",").map((s) => Number(s.trim()));
        if (
          perClass.length !== NUM_CLASSES ||
          !perClass.every((n) => Number.isInteger(n) && n >= 0) ||
          perClass.every((n) => n === 0)
        ) {
          errors.push(
            `--per-class must be ${NUM_CLASSES} comma-separated non-negative integers, not all 0; got "${list}"`,
          );
        } else if (count !== undefined && perClass.reduce((a, b) => a + b, 0) !== count) {
          errors.push(
            `--per-class sums to ${perClass.reduce((a, b) => a + b, 0)}, but --count is ${count}`,
          );
        }
      } else if (count !== undefined) {
        perClass = equalCounts(count);
      } else if (v.count === undefined) {
        errors.push("--count N (or --per-class) is required");
      }
      if (v.out === undefined) errors.push("--out DIR is required");
      return {
        modelDir: v.model ? fromInvocationDir(v.model as string) : EDGE_MODEL_DIR,
        outDir: v.out ? fromInvocationDir(v.out as string) : "",
        perClass,
        seed: seedOf(v.seed as string | undefined, errors),
      };
    },
  );
}
