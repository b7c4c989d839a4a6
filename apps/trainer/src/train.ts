/**
 * The training driver: a loop over batches that steps the GAN, keeps its EMA, logs, and never
 * loses work; then the grid, the verified export, the report.
 *
 * It owns the run's lifecycle and nothing about the networks themselves (packages/model builds
 * them and does one step). A checkpoint is written after every epoch, every `checkpointMinutes`,
 * and when asked to stop (SIGINT/SIGTERM via `stopSignal`); a NaN/Inf loss ends the run before
 * anything is saved, leaving the last good checkpoint.
 */
import { join } from "node:path";
import type { NextStep } from "@edgegan/model/data-parallel/data-parallel";
import { exportGeneratorToOnnx } from "@edgegan/model/export-onnx";
import { captureGanState } from "@edgegan/model/gan-state";
import type { ModelManifest } from "@edgegan/shared/manifest";
import type { TrainConfig } from "@edgegan/shared/train-config";
import { writeFileAtomic } from "./atomic-write.ts";
import { recalibrateBatchNorm } from "./batch-norm-recalibration.ts";
import { type BatchEvent, batches } from "./batches.ts";
import { cardTraining } from "./card-config.ts";
import { saveCheckpoint } from "./checkpoint.ts";
import { datasetCardName } from "./dataset.ts";
import { type EvaluateOptions, evaluateGenerator } from "./eval/evaluate.ts";
import { exportVerifiedArtifact } from "./export-artifact.ts";
import type { LoopProfile } from "./loop-profile.ts";
import { appendJsonLine, MetricsLog } from "./metrics-log.ts";
import { openRun, type Run } from "./open-run.ts";
import { ProgressReporter } from "./progress.ts";
import { type EvalHistoryLine, writeRunReport } from "./report.ts";
import { renderSampleGrid } from "./sample-grid.ts";
import { TrainingLog } from "./tensorboard/training-log.ts";

export interface TrainOptions {
  /** Aborting it makes the run checkpoint at the next step boundary and return "interrupted". */
  stopSignal?: AbortSignal;
  /** Where progress lines go (default stderr). */
  progressStream?: NodeJS.WriteStream;
  /** Informational messages (default console.log). */
  log?: (message: string) => void;
  /** For --eval-every: another classifier or sample count (tests use a tiny one); default the cached judge, 1,000 per class. */
  evaluation?: Pick<EvaluateOptions, "classifier" | "samplesPerClass">;
  /** Time each part of every loop iteration into this (the loop bench; a run passes none). */
  profile?: LoopProfile;
}

export interface TrainResult {
  status: "completed" | "interrupted";
  outDir: string;
  steps: number;
  epochs: number;
  backend: string;
  /** Mean ms per training step measured in this process (null if it ran no step). */
  msPerStep: number | null;
  manifest: ModelManifest | null;
}

export class NonFiniteLossError extends Error {}

/** Run (or resume) a training run described by `config`. */
export async function train(config: TrainConfig, options: TrainOptions = {}): Promise<TrainResult> {
  const log = options.log ?? ((m: string) => console.log(m));
  // Open the run: folder, backend, data, networks, teacher, and the checkpoint to resume.
  const run = await openRun(config, log);
  const { state, gan, outDir, stepsPerEpoch } = run;
  const progress = new ProgressReporter(state.step, options.progressStream);
  const metrics = new MetricsLog(run.paths.metrics);
  const clock = runClock(state.wallTimeSeconds);
  // where each metrics line goes; TensorBoard's writer opens inside the try (closed in finally)
  const report = { metrics, progress, clock, tensorboard: null as TrainingLog | null };
  const timing = { stepMillis: 0, steps: 0 };
  let lastCheckpointAt = performance.now();
  const checkpoint = async (why: string) => {
    state.wallTimeSeconds = clock.wallTime();
    const tensors = { ...(await captureGanState(gan)), ema: run.ema.state() };
    const path = saveCheckpoint(outDir, state, tensors);
    lastCheckpointAt = performance.now();
    progress.newline();
    log(`checkpoint (${why}) at step ${state.step}: ${path}`);
  };
  const result = (status: TrainResult["status"], manifest: ModelManifest | null = null) => ({
    status,
    outDir,
    steps: state.step,
    epochs: state.epoch,
    backend: run.backend.name,
    msPerStep: timing.steps ? timing.stepMillis / timing.steps : null,
    manifest,
  });
  const reachedLimit = () =>
    (config.maxSteps !== null && state.step >= config.maxSteps) ||
    (config.maxMinutes !== null && clock.wallTime() >= config.maxMinutes * 60);

  try {
    if (config.logdir) {
      report.tensorboard = new TrainingLog(config.logdir, run.data, config.seed, gan);
      log(`TensorBoard events: ${report.tensorboard.path}`);
    }
    const { tensorboard } = report;
    const { profile } = options;
    const events = batches(run.data, config, state, run.rng, reachedLimit);
    // A timed checkpoint is due (not when the epoch's own checkpoint follows at once).
    const minutes = config.checkpointMinutes;
    const timedCheckpointDue = () =>
      state.stepInEpoch < stepsPerEpoch &&
      minutes > 0 &&
      performance.now() - lastCheckpointAt > minutes * 60_000;
    let next = events.next();
    let nextStep: NextStep | null = null; // next.value's step when it was handed out ahead
    profile?.start();
    while (!next.done) {
      const event = next.value;
      Object.assign(state, event.after.cursor); // the run stands where the event leaves it
      state.rngState = event.after.rngState;
      // End of an epoch: its grid, its checkpoint, and its evaluation when asked for.
      if (event.kind === "epoch-end") {
        writeGrid(run, `samples-epoch-${state.epoch}.png`, tensorboard);
        await checkpoint(`epoch ${state.epoch} done`);
        if (config.evalEvery > 0 && state.epoch % config.evalEvery === 0) {
          await evaluateEpoch(run, log, options.evaluation, tensorboard);
        }
        next = events.next();
        profile?.start(); // the epoch's end is not a step: not profiled
        continue;
      }
      // One GAN step (D, then G). Once this thread's part of it is done, the next batch is drawn
      // and handed to the workers, which start it as soon as they end this one, unless a timed
      // checkpoint comes first (checkpoints are taken with no step in flight). Then the EMA and
      // the step's bookkeeping.
      const step = nextStep ?? (await stepFor(run, event));
      let drawn: IteratorResult<BatchEvent> | null = null;
      let checkpointDue = false;
      const upcoming = async () => {
        checkpointDue = timedCheckpointDue();
        if (checkpointDue) return null;
        const started = performance.now();
        drawn = events.next();
        nextStep =
          drawn.done || drawn.value.kind !== "batch" ? null : await stepFor(run, drawn.value);
        profile?.nested("next batch (drawn inside the step)", performance.now() - started);
        return nextStep;
      };
      const t0 = performance.now();
      nextStep = null;
      profile?.stepperBefore(run.stepper.timings());
      const { dLoss, gLoss } = await ganStep(run, step, upcoming);
      profile?.lap("step");
      profile?.stepperAfter(run.stepper.timings());
      run.ema.update(gan.generator, state.step - 1);
      profile?.lap("ema");
      timing.stepMillis += performance.now() - t0;
      timing.steps += 1;
      state.lastLosses = { d: dLoss, g: gLoss };
      // Log: metrics.jsonl every metricsEvery steps, the progress line every step.
      metrics.add(dLoss, gLoss);
      if (state.step % config.metricsEvery === 0) flushMetrics(run, report);
      profile?.lap("metrics");
      progress.update({
        step: state.step,
        totalSteps: run.plannedSteps,
        epoch: state.epoch,
        epochs: config.epochs,
        dLoss,
        gLoss,
        ...(config.maxMinutes !== null && {
          secondsLeft: Math.max(0, config.maxMinutes * 60 - clock.wallTime()),
        }),
      });
      profile?.lap("progress");
      // Stop when asked (the steps are synchronous: let signal handlers run first).
      await new Promise((r) => setImmediate(r));
      profile?.lap("yield");
      if (options.stopSignal?.aborted) {
        await checkpoint(`stop requested by ${String(options.stopSignal.reason ?? "signal")}`);
        return result("interrupted");
      }
      if (checkpointDue) await checkpoint(`every ${minutes} min`);
      profile?.lap("checkpoint check");
      next = drawn ?? events.next();
      profile?.lap("batch");
      profile?.endIteration();
    }

    // Finish: the last metrics and checkpoint, the final grid, the verified export, the report.
    flushMetrics(run, report);
    if (state.stepInEpoch > 0) await checkpoint("end of run");
    progress.newline();
    writeGrid(run, "samples-final.png", tensorboard); // also leaves the EMA generator BN-recalibrated
    const manifest = await exportVerifiedArtifact(outDir, {
      generator: run.emaGenerator,
      arch: config.arch,
      generatorWidth: config.arch === "dcgan" ? config.generatorWidth : null,
      dataset: { name: datasetCardName(run.data.name), classNames: run.data.classNames },
      seed: config.seed,
      weights: config.onnxWeights,
      latentTemperature: config.latentTemperature,
      training: {
        ...cardTraining(config, run.teacher?.ref ?? null),
        backend: run.backend.name,
        steps: state.step,
        epochs: state.epoch + state.stepInEpoch / stepsPerEpoch,
        wallTimeSeconds: Math.round(clock.wallTime()),
        finalLosses: state.lastLosses,
        emaDecay: config.emaDecay,
      },
    });
    log(
      `exported ${join(outDir, manifest.onnx.file)} (parity max abs diff ${manifest.parity.maxAbsDiff.toExponential(2)})`,
    );
    const done = result("completed", manifest);
    writeRunReport(run, clock.wallTime(), done.msPerStep, manifest.parity.maxAbsDiff);
    return done;
  } finally {
    report.tensorboard?.close();
    await run.teacher?.release();
    await run.stepper.close();
  }
}

/** Wall time of the run across resumes, in seconds. */
function runClock(secondsBefore: number) {
  const started = performance.now();
  return { wallTime: () => secondsBefore + (performance.now() - started) / 1000 };
}

/**
 * The step a batch event asks for: its batch (with the teacher's images for its z when
 * distilling) and its place in the run (the rates follow it with --lr-decay).
 */
async function stepFor(run: Run, event: BatchEvent & { kind: "batch" }): Promise<NextStep> {
  const { batch } = event;
  const teacherImages = run.teacher ? await run.teacher.imagesFor(batch.z, batch.fakeLabels) : null;
  return {
    batch: teacherImages ? { ...batch, teacherImages } : batch,
    // the event's cursor has counted this step already: its 0-based index is one less
    position: { step: event.after.cursor.step - 1, totalSteps: run.plannedSteps },
  };
}

/**
 * One GAN step; `upcoming` gives the next step (GanStepper.step).
 * @throws NonFiniteLossError when a loss is NaN or infinite (nothing is saved after it)
 */
async function ganStep(
  run: Run,
  { batch, position }: NextStep,
  upcoming: () => Promise<NextStep | null>,
) {
  const { dLoss, gLoss } = await run.stepper.step(batch, position, upcoming);
  if (!Number.isFinite(dLoss) || !Number.isFinite(gLoss)) {
    throw new NonFiniteLossError(
      `loss became ${Number.isFinite(dLoss) ? "" : `L_D=${dLoss} `}${Number.isFinite(gLoss) ? "" : `L_G=${gLoss} `}` +
        `at step ${run.state.step}: training stopped. The last good checkpoint in ${run.outDir} is kept; ` +
        "try again with a lower --lr in a new --out",
    );
  }
  return { dLoss, gLoss };
}

/** A metrics.jsonl line (and its TensorBoard scalars) with the means since the last one. */
function flushMetrics(
  run: Run,
  {
    metrics,
    progress,
    clock,
    tensorboard,
  }: {
    metrics: MetricsLog;
    progress: ProgressReporter;
    clock: ReturnType<typeof runClock>;
    tensorboard: TrainingLog | null;
  },
): void {
  const { state } = run;
  const line = metrics.flush({
    step: state.step,
    epoch: state.epoch + state.stepInEpoch / run.stepsPerEpoch,
    stepsPerSecond: progress.rate(state.step),
    wallTimeSeconds: clock.wallTime(),
  });
  if (line && tensorboard) {
    tensorboard.step({
      step: line.step,
      dLoss: line.dLoss,
      gLoss: line.gLoss,
      imagesPerSecond: line.stepsPerSecond * run.config.batchSize,
    });
  }
}

/** The EMA generator, BN-recalibrated, as a 10x10 grid from the run's fixed z (at its temperature, as served). */
function writeGrid(run: Run, file: string, tensorboard: TrainingLog | null): void {
  run.ema.copyTo(run.emaGenerator);
  const classCount = run.data.classNames.length;
  recalibrateBatchNorm(run.emaGenerator, { seed: run.config.seed, classCount });
  const png = renderSampleGrid(run.emaGenerator, run.config, classCount);
  writeFileAtomic(join(run.outDir, file), png);
  tensorboard?.grid(run.state.step, png);
}

/** --eval-every: measure the EMA generator (just copied and recalibrated by writeGrid). */
async function evaluateEpoch(
  run: Run,
  log: (message: string) => void,
  evaluation: TrainOptions["evaluation"],
  tensorboard: TrainingLog | null,
): Promise<void> {
  const { arch, latentTemperature } = run.config;
  const m = await evaluateGenerator(
    exportGeneratorToOnnx(run.emaGenerator, arch, { latentTemperature }),
    {
      dataset: run.config.dataset,
      classNames: run.data.classNames,
      memorisationSamples: 0, // the near-copy search takes minutes: `npm run eval` measures it once
      log,
      ...evaluation,
    },
  );
  const line: EvalHistoryLine = {
    epoch: run.state.epoch,
    step: run.state.step,
    frechetDistance: m.frechetDistance,
    floor: m.floor.frechetDistance,
    labelAccuracy: m.labelAccuracy,
    coverage: m.coverage,
  };
  appendJsonLine(run.paths.evalHistory, line);
  tensorboard?.evaluation(line);
  log(
    `eval after epoch ${run.state.epoch}: Frechet distance ${m.frechetDistance.toFixed(3)} ` +
      `(floor ${m.floor.frechetDistance.toFixed(3)}), label accuracy ${(100 * m.labelAccuracy).toFixed(2)}%`,
  );
}
