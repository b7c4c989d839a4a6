/**
 * Turns `edgegan train` flags into a validated TrainConfig. The flags, their help text, their
 * limits and their defaults are the shared schema's fields (schema-flags.ts): nothing is declared
 * twice.
 *
 * Kept apart from the CLI entry so it can be tested without starting a run: a bad value is
 * reported before any work starts. Precedence, lowest first: the schema's defaults, the preset,
 * a `--config FILE` (config-file.ts), the flags.
 */
import {
  ganSettingsSchema,
  QUICK_PRESET,
  runSettingsSchema,
  type TrainConfig,
  trainCommandSchema,
  trainConfigSchema,
} from "@edgegan/shared/train-config";
import type { ParsedFlags } from "./cli-runner.ts";
import { readConfigFile } from "./config-file.ts";
import { fromInvocationDir } from "./invocation-dir.ts";
import { type FlagGroup, flagsHelp, parseFlags } from "./schema-flags.ts";

/** The flags of `edgegan train` by what they belong to, for its help and the README's reference. */
export const TRAIN_FLAG_GROUPS: readonly FlagGroup[] = [
  { heading: "The GAN (recorded in model.json, training.config):", schema: ganSettingsSchema },
  { heading: "The run (recorded in model.json, training.config):", schema: runSettingsSchema },
  { heading: "This command (not recorded):", schema: trainCommandSchema },
];

export const USAGE = `Usage: edgegan train [flags]   (npm run train -- [flags])

${flagsHelp(TRAIN_FLAG_GROUPS)}
--preset quick sets ${Object.entries(QUICK_PRESET)
  .map(([k, v]) => `${k} ${v}`)
  .join(", ")} (flags and a config file still win).
`;

export type ParsedCli = ParsedFlags<TrainConfig>;

/** Parse argv (without node and script) into a run config, help, or errors. */
export function parseCliArgs(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): ParsedCli {
  // the flags alone first: help, a bad flag and the config file's name come from them
  const flagsOnly = parseFlags(trainConfigSchema, argv);
  if (flagsOnly.kind !== "ok" || flagsOnly.options.config === null) {
    return flagsOnly.kind === "ok" ? withPreset(argv, {}, flagsOnly) : flagsOnly;
  }
  let fromFile: Partial<TrainConfig>;
  try {
    fromFile = readConfigFile(fromInvocationDir(flagsOnly.options.config, env));
  } catch (error) {
    return { kind: "error", errors: (error as Error).message.split("\n") };
  }
  return withPreset(argv, fromFile, parseFlags(trainConfigSchema, argv, fromFile));
}

/** With `--preset quick` (a flag or the file's), parse again over the preset's values. */
function withPreset(
  argv: readonly string[],
  fromFile: Partial<TrainConfig>,
  plain: ParsedCli,
): ParsedCli {
  if (plain.kind !== "ok" || plain.options.preset !== "quick") return plain;
  return parseFlags(trainConfigSchema, argv, { ...QUICK_PRESET, ...fromFile, preset: "quick" });
}
