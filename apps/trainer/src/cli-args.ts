/**
 * Turns `train` command-line flags into a validated TrainConfig.
 *
 * Kept apart from the CLI entry so it can be tested without starting a run: every flag is
 * checked by the shared schema, and a bad value is reported before any work starts.
 */
import { parseArgs } from "node:util";
import {
  DEFAULT_TRAIN_CONFIG,
  QUICK_PRESET,
  type TrainConfig,
  validateTrainConfig,
} from "@edgegan/shared/train-config";
import type { ParsedFlags } from "./cli-runner.ts";

const NUMBER_FLAGS = {
  epochs: "epochs",
  "g-width": "gWidth",
  "distill-weight": "distillWeight",
  "batch-size": "batchSize",
  lr: "lr",
  beta1: "beta1",
  "real-label-target": "realLabelTarget",
  "ema-decay": "emaDecay",
  seed: "seed",
  workers: "workers",
  "max-steps": "maxSteps",
  "max-minutes": "maxMinutes",
  "eval-every": "evalEvery",
  "limit-images": "limitImages",
  "metrics-every": "metricsEvery",
  "checkpoint-minutes": "checkpointMinutes",
} as const;

const STRING_FLAGS = {
  dataset: "dataset",
  arch: "arch",
  teacher: "teacher",
  backend: "backend",
  out: "out",
  "onnx-weights": "onnxWeights",
  preset: "preset",
} as const;

const BOOLEAN_FLAGS = { resume: "resume", publish: "publish" } as const;

export const USAGE = `Usage: npm run train -- [flags]

  --dataset mnist|fashion-mnist|DIR   training data (default mnist; DIR holds train-images/-labels IDX files)
  --arch dcgan|mlp                    conditional DCGAN (default) or the seed's MLP GAN
  --g-width N                         DCGAN generator width: channels of its 7x7 map (default ${DEFAULT_TRAIN_CONFIG.gWidth}; 64 = lean, ~3.6x fewer MACs)
  --teacher DIR                       distil: also learn to reproduce the images of this model folder (generator.onnx + model.json)
  --distill-weight X                  weight of the distillation term mean |G - teacher| in L_G (default ${DEFAULT_TRAIN_CONFIG.distillWeight})
  --epochs N                          passes over the data (default ${DEFAULT_TRAIN_CONFIG.epochs})
  --batch-size N                      images per step (default ${DEFAULT_TRAIN_CONFIG.batchSize})
  --lr X                              Adam learning rate (default ${DEFAULT_TRAIN_CONFIG.lr})
  --beta1 X                           Adam beta1 (default ${DEFAULT_TRAIN_CONFIG.beta1})
  --real-label-target X               one-sided label smoothing target (default ${DEFAULT_TRAIN_CONFIG.realLabelTarget})
  --ema-decay X                       EMA decay of the exported generator (default ${DEFAULT_TRAIN_CONFIG.emaDecay})
  --backend auto|tensorflow|webgpu|wasm|cpu   (default auto: tensorflow, then wasm, then cpu)
  --workers N                         data-parallel: split each batch over N cores (default: all of them for the DCGAN, 1 for the MLP)
  --seed N                            uint32 seed for data order and z (default ${DEFAULT_TRAIN_CONFIG.seed})
  --out DIR                           run folder (default ${DEFAULT_TRAIN_CONFIG.out}; quick: ${QUICK_PRESET.out})
  --resume                            continue from DIR/checkpoint.bin
  --max-steps N                       stop after N steps in total
  --max-minutes X                     stop once the run has trained X minutes in total (compare archs at equal time)
  --eval-every N                      every N epochs, measure Frechet distance and label accuracy (default 0: off; ~20 s each)
  --limit-images N                    train on the first N images only
  --metrics-every N                   metrics.jsonl line every N steps (default ${DEFAULT_TRAIN_CONFIG.metricsEvery})
  --checkpoint-minutes X              also checkpoint within an epoch every X minutes (default ${DEFAULT_TRAIN_CONFIG.checkpointMinutes}; 0 = off)
  --onnx-weights float32|float16      how generator.onnx stores weights (default float32; float16: half the bytes, parity gate 2e-3)
  --publish                           copy the verified generator.onnx + model.json into apps/edge-api/models/<dataset>/
  --preset quick|full                 quick: ${QUICK_PRESET.maxSteps} steps at lr ${QUICK_PRESET.lr}, ~5 min here, digits forming
  --help                              this text
`;

export type ParsedCli = ParsedFlags<TrainConfig>;

/** Decimal or scientific number text only ("2e-4", "64", "0.5"); rejects "", "0x10", " 5". */
function parseNumberFlag(flag: string, text: string): number | string {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) {
    return `--${flag}: "${text.slice(0, 40)}" is not a number`;
  }
  return Number(text);
}

/**
 * Parse argv (without node and script) into a run config, help, or errors.
 * Flags override the preset, which overrides the defaults.
 */
export function parseCliArgs(argv: readonly string[]): ParsedCli {
  const options: Record<string, { type: "string" | "boolean" }> = { help: { type: "boolean" } };
  for (const flag of [...Object.keys(NUMBER_FLAGS), ...Object.keys(STRING_FLAGS)]) {
    options[flag] = { type: "string" };
  }
  for (const flag of Object.keys(BOOLEAN_FLAGS)) options[flag] = { type: "boolean" };

  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }));
  } catch (error) {
    return {
      kind: "error",
      errors: [`${(error as Error).message}. Run with --help for the flags.`],
    };
  }
  if (values.help) return { kind: "help" };

  const errors: string[] = [];
  const overrides: Record<string, unknown> = {};
  for (const [flag, key] of Object.entries(NUMBER_FLAGS)) {
    const text = values[flag];
    if (typeof text !== "string") continue;
    const parsed = parseNumberFlag(flag, text);
    if (typeof parsed === "string") errors.push(parsed);
    else overrides[key] = parsed;
  }
  for (const [flag, key] of Object.entries(STRING_FLAGS)) {
    if (typeof values[flag] === "string") overrides[key] = values[flag];
  }
  for (const [flag, key] of Object.entries(BOOLEAN_FLAGS)) {
    if (values[flag] === true) overrides[key] = true;
  }
  if (errors.length > 0) return { kind: "error", errors };

  const preset = overrides.preset === "quick" ? QUICK_PRESET : {};
  const candidate = { ...DEFAULT_TRAIN_CONFIG, ...preset, ...overrides };
  const result = validateTrainConfig(candidate);
  return result.ok
    ? { kind: "ok", options: result.config }
    : { kind: "error", errors: result.errors };
}
