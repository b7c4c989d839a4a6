/**
 * `edgegan train` (`npm run train`, `turbo run train`): train, export, report.
 *
 * Parses and validates the flags (nothing starts on a bad value), wires SIGINT/SIGTERM to a
 * checkpoint-then-exit, runs the training, and maps failures to clear messages and exit codes:
 * 0 done, 1 failed, 2 bad flags, 130 stopped by a signal (resumable with --resume).
 */
import { parseCliArgs, USAGE } from "../cli-args.ts";
import { settleFlags } from "../cli-runner.ts";
import { datasetFromInvocationDir } from "../dataset.ts";
import { fromInvocationDir } from "../invocation-dir.ts";
import { train } from "../train.ts";

/** Run the command with its flags (argv without the command name); resolves to the exit code. */
export async function run(argv: string[]): Promise<number> {
  const flags = settleFlags(parseCliArgs(argv), USAGE);
  if ("exit" in flags) return flags.exit;
  const config = flags.options;

  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) {
      process.stderr.write(`\n${signal} again: exiting now without a checkpoint\n`);
      process.exit(130);
    }
    process.stderr.write(
      `\n${signal}: writing a checkpoint after the current step (press again to quit at once)\n`,
    );
    stop.abort(signal);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  const paths = {
    out: fromInvocationDir(config.out),
    dataset: datasetFromInvocationDir(config.dataset),
    teacher: config.teacher === null ? null : fromInvocationDir(config.teacher),
    logdir: config.logdir === null ? null : fromInvocationDir(config.logdir),
  };
  const result = await train({ ...config, ...paths }, { stopSignal: stop.signal });
  if (result.status === "interrupted") {
    console.log(`stopped at step ${result.steps}; continue with the same flags plus --resume`);
    return 130;
  }
  const ms = result.msPerStep;
  console.log(
    `done: ${result.steps} steps on ${result.backend}` +
      (ms
        ? `, ${ms.toFixed(1)} ms/step, ${((config.batchSize * 1000) / ms).toFixed(0)} images/s`
        : "") +
      `; report: ${result.outDir}/report.md`,
  );
  return 0;
}
