/**
 * `edgegan`: the one command line of the trainer, `edgegan train | eval | synth | temper [flags]`.
 * Each command's flags, defaults, help and errors come from its zod schema (schema-flags.ts);
 * `edgegan COMMAND --help` lists them. Exit codes: 0 done, 1 failed, 2 bad command or flags,
 * 130 stopped by a signal (train, resumable with --resume).
 */
import { runCli } from "./cli-runner.ts";
import { edgegan } from "./commands/index.ts";

runCli(edgegan);
