/**
 * Turns `edgegan train` flags into a validated TrainConfig. The flags, their help text and their
 * limits are the shared schema's fields (schema-flags.ts): nothing is declared twice.
 *
 * Kept apart from the CLI entry so it can be tested without starting a run: a bad value is
 * reported before any work starts. Precedence, lowest first: the defaults, the preset, a
 * `--config FILE` (config-file.ts), the flags.
 */
import {
  DEFAULT_TRAIN_CONFIG,
  QUICK_PRESET,
  type TrainConfig,
  trainConfigSchema,
} from "@edgegan/shared/train-config";
import type { ParsedFlags } from "./cli-runner.ts";
import { readConfigFile } from "./config-file.ts";
import { fromInvocationDir } from "./invocation-dir.ts";
import { flagsHelp, parseFlags } from "./schema-flags.ts";

export const USAGE = `Usage: edgegan train [--config FILE] [flags]   (npm run train -- [flags])

  --config FILE  a JSON or YAML file of the settings below (keys as in model.json, e.g. batchSize,
                 or as the flags, batch-size; paths relative to the file); flags given win
${flagsHelp(trainConfigSchema, DEFAULT_TRAIN_CONFIG)}
--preset quick sets ${Object.entries(QUICK_PRESET)
  .map(([k, v]) => `${k} ${v}`)
  .join(", ")} (flags and a config file still win).
`;

export type ParsedCli = ParsedFlags<TrainConfig>;

/** argv without `--config FILE` / `--config=FILE`, and that FILE (null when absent). */
function takeConfigFlag(argv: readonly string[]): { file: string | null; rest: string[] } | string {
  const rest: string[] = [];
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--config") {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith("--"))
        return "--config: needs a FILE (.json, .yaml or .yml)";
      files.push(value);
      i++;
    } else if (arg.startsWith("--config=")) files.push(arg.slice("--config=".length));
    else rest.push(arg);
  }
  if (files.length > 1) return `--config: given ${files.length} times; give one file`;
  return { file: files[0] ?? null, rest };
}

/** Parse argv (without node and script) into a run config, help, or errors. */
export function parseCliArgs(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): ParsedCli {
  const taken = takeConfigFlag(argv);
  if (typeof taken === "string") return { kind: "error", errors: [taken] };
  let fromFile: Partial<TrainConfig> = {};
  if (taken.file !== null && !taken.rest.includes("--help") && !taken.rest.includes("-h")) {
    try {
      fromFile = readConfigFile(fromInvocationDir(taken.file, env));
    } catch (error) {
      return { kind: "error", errors: (error as Error).message.split("\n") };
    }
  }
  const plain = parseFlags(trainConfigSchema, taken.rest, { ...DEFAULT_TRAIN_CONFIG, ...fromFile });
  if (plain.kind !== "ok" || plain.options.preset !== "quick") return plain;
  return parseFlags(trainConfigSchema, taken.rest, {
    ...DEFAULT_TRAIN_CONFIG,
    ...QUICK_PRESET,
    ...fromFile,
    preset: "quick",
  });
}
