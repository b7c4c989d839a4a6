/**
 * `edgegan train` (`npm run train`, `turbo run train`): train, export, report, and with
 * `--publish` copy the verified model into a models folder (`--publish-dir`, by default the edge
 * API's: edge-models.ts), so `npm start` serves it.
 *
 * Parses and validates the flags (nothing starts on a bad value), wires SIGINT/SIGTERM to a
 * checkpoint-then-exit, runs the training, and maps failures to clear messages and exit codes:
 * 0 done, 1 failed, 2 bad flags, 130 stopped by a signal (resumable with --resume).
 */
import { join } from "node:path";
import type { TrainConfig } from "@edgegan/shared/train-config";
import { parseCliArgs, USAGE } from "../cli-args.ts";
import { type ParsedFlags, settleFlags } from "../cli-runner.ts";
import { datasetFromInvocationDir, isKnownDataset } from "../dataset.ts";
import { publishArtifact } from "../export-artifact.ts";
import { fromInvocationDir } from "../invocation-dir.ts";
import { train } from "../train.ts";
import { EDGE_MODELS_DIR } from "./edge-models.ts";

/**
 * The flags, and the folder `--publish` copies the model into: `--publish-dir` (default: the
 * edge API's models folder) / <dataset>/, or null without --publish.
 */
function parseTrainFlags(
  argv: string[],
): ParsedFlags<{ config: TrainConfig; publishTo: string | null }> {
  const parsed = parseCliArgs(argv);
  if (parsed.kind !== "ok") return parsed;
  const config = parsed.options;
  const refuse = (error: string) => ({ kind: "error" as const, errors: [error] });
  if (!config.publish) {
    if (config.publishDir !== null) {
      return refuse("--publish-dir: says where --publish copies the model; add --publish");
    }
    return { kind: "ok", options: { config, publishTo: null } };
  }
  if (!isKnownDataset(config.dataset)) {
    return refuse(
      `--publish serves models of the known datasets (mnist, fashion-mnist); for ${config.dataset}, copy the run's generator.onnx + model.json into apps/edge-api/models/NAME/ (npm start serves every folder there; deployed workers read it from R2 after npm run release:model)`,
    );
  }
  const models =
    config.publishDir === null ? EDGE_MODELS_DIR : fromInvocationDir(config.publishDir);
  return { kind: "ok", options: { config, publishTo: join(models, config.dataset) } };
}

/** Run the command with its flags (argv without the command name); resolves to the exit code. */
export async function run(argv: string[]): Promise<number> {
  const flags = settleFlags(parseTrainFlags(argv), USAGE);
  if ("exit" in flags) return flags.exit;
  const { config, publishTo } = flags.options;

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
  const result = await train({ ...config, ...paths }, { stopSignal: stop.signal }).finally(() => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  });
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
  if (publishTo !== null) {
    console.log(`published to ${await publishArtifact(result.outDir, publishTo)}`);
  }
  return 0;
}
