/**
 * Turns `edgegan train` flags into a validated TrainConfig. The flags, their help text and their
 * limits are the shared schema's fields (schema-flags.ts): nothing is declared twice.
 *
 * Kept apart from the CLI entry so it can be tested without starting a run: a bad value is
 * reported before any work starts. Flags override the preset, which overrides the defaults.
 */
import {
  DEFAULT_TRAIN_CONFIG,
  QUICK_PRESET,
  type TrainConfig,
  trainConfigSchema,
} from "@edgegan/shared/train-config";
import type { ParsedFlags } from "./cli-runner.ts";
import { flagsHelp, parseFlags } from "./schema-flags.ts";

export const USAGE = `Usage: edgegan train [flags]   (npm run train -- [flags])

${flagsHelp(trainConfigSchema, DEFAULT_TRAIN_CONFIG)}
--preset quick sets ${Object.entries(QUICK_PRESET)
  .map(([k, v]) => `${k} ${v}`)
  .join(", ")} (flags given still win).
`;

export type ParsedCli = ParsedFlags<TrainConfig>;

/** Parse argv (without node and script) into a run config, help, or errors. */
export function parseCliArgs(argv: readonly string[]): ParsedCli {
  const plain = parseFlags(trainConfigSchema, argv, DEFAULT_TRAIN_CONFIG);
  if (plain.kind !== "ok" || plain.options.preset !== "quick") return plain;
  return parseFlags(trainConfigSchema, argv, {
    ...DEFAULT_TRAIN_CONFIG,
    ...QUICK_PRESET,
    preset: "quick",
  });
}
