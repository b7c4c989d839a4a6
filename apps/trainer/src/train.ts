/**
 * The training driver: batches, GAN steps, EMA, checkpoints, grids, metrics, report, export.
 *
 * It owns the run's lifecycle and nothing about the networks themselves (packages/model
 * builds them and does one step). Work is never lost: a checkpoint after every epoch, every
 * `checkpointMinutes`, and when asked to stop (SIGINT/SIGTERM via `stopSignal`); a NaN/Inf
 * loss ends the run before anything is saved, leaving the last good checkpoint.
 */
import { accessSync, constants, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { exportGeneratorToOnnx } from "@edgegan/model/export-onnx";
import { buildGenerator } from "@edgegan/model/generator";
import { createGan, type Gan, trainStep } from "@edgegan/model/train-step";
import { LATENT_SIZE, NUM_CLASSES, oneHot, PIXELS_PER_IMAGE } from "@edgegan/shared";
import type { ModelManifest } from "@edgegan/shared/manifest";
import { createRng, type Rng } from "@edgegan/shared/rng";
import { identityMismatches, type TrainConfig } from "@edgegan/shared/train-config";
import * as tf from "@tensorflow/tfjs-core";
import { removeStaleTempFiles, writeFileAtomic } from "./atomic-write.ts";
import { selectBackend } from "./backend.ts";
import { recalibrateBatchNorm } from "./batch-norm-recalibration.ts";
import {
  CHECKPOINT_FILE,
  loadCheckpoint,
  type RunState,
  saveCheckpoint,
  type TensorGroups,
} from "./checkpoint.ts";
import { type Dataset, isKnownDataset, loadDataset } from "./dataset.ts";
import { WeightEma } from "./ema.ts";
import { type EvaluateOptions, evaluateGenerator } from "./eval/evaluate.ts";
import { EDGE_MODELS_DIR, exportVerifiedArtifact, publishArtifact } from "./export-artifact.ts";
import {
  appendJsonLine,
  MetricsLog,
  readJsonLines,
  readMetrics,
  truncateJsonLines,
} from "./metrics-log.ts";
import { ProgressReporter } from "./progress.ts";
import { type EvalHistoryLine, renderLossCurvesSvg, renderReportMarkdown } from "./report.ts";
import { renderSampleGrid } from "./sample-grid.ts";
import { openTeacher, type Teacher } from "./teacher.ts";

export interface TrainOptions {
  /** Aborting it makes the run checkpoint at the next step boundary and return "interrupted". */
  stopSignal?: AbortSignal;
  /** Where progress lines go (default stderr). */
  progressStream?: NodeJS.WriteStream;
  /** Informational messages (default console.log). */
  log?: (message: string) => void;
  /** For --eval-every: another classifier or sample count (tests use a tiny one); default the cached judge, 1,000 per class. */
  evaluation?: Pick<EvaluateOptions, "classifier" | "samplesPerClass">;
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
  publishedTo: string | null;
}

export class NonFiniteLossError extends Error {}

/** Throw a clear error unless `dir` can be created and written. */
function assertWritableDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    const probe = join(dir, `.write-probe-${process.pid}`);
    writeFileSync(probe, "");
    rmSync(probe);
  } catch (error) {
    throw new Error(
      `--out ${dir} is not a writable folder (${(error as Error).message.split("\n")[0]})`,
    );
  }
}

/** Fisher-Yates shuffle of 0..n-1 driven by a seeded RNG. */
export function permutation(n: number, seed: number): Uint32Array {
  const rng = createRng(seed);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = order[i] as number;
    order[i] = order[j] as number;
    order[j] = t;
  }
  return order;
}

/** One batch's tensors: real images and labels from the shuffled order, z and fake labels from the RNG. */
function makeBatch(data: Dataset, order: Uint32Array, start: number, batchSize: number, rng: Rng) {
  const images = new Float32Array(batchSize * PIXELS_PER_IMAGE);
  const labels: number[] = [];
  for (let b = 0; b < batchSize; b++) {
    const index = order[start + b] as number;
    images.set(
      data.images.subarray(index * PIXELS_PER_IMAGE, (index + 1) * PIXELS_PER_IMAGE),
      b * PIXELS_PER_IMAGE,
    );
    labels.push(data.labels[index] as number);
  }
  const z = Float32Array.from({ length: batchSize * LATENT_SIZE }, () => rng.normal());
  const fakeLabels = Array.from({ length: batchSize }, () => rng.int(NUM_CLASSES));
  return {
    images: tf.tensor4d(images, [batchSize, 28, 28, 1]),
    labels: tf.tensor2d(oneHot(labels), [batchSize, NUM_CLASSES]),
    z: tf.tensor2d(z, [batchSize, LATENT_SIZE]),
    fakeLabels: tf.tensor2d(oneHot(fakeLabels), [batchSize, NUM_CLASSES]),
  };
}

async function tensorGroups(gan: Gan, ema: WeightEma): Promise<TensorGroups> {
  const [gOpt, dOpt] = await Promise.all([
    gan.gOptimizer.getWeights(),
    gan.dOptimizer.getWeights(),
  ]);
  return {
    generator: gan.generator.weights.map((w) => w.read()),
    discriminator: gan.discriminator.weights.map((w) => w.read()),
    ema: ema.values(),
    gOptimizer: gOpt.map((named) => named.tensor),
    dOptimizer: dOpt.map((named) => named.tensor),
  };
}

async function restoreTensors(
  gan: Gan,
  ema: WeightEma,
  groups: TensorGroups,
  source: string,
): Promise<void> {
  const need = (name: string) => {
    const list = groups[name];
    if (!list)
      throw new Error(`${source} has no "${name}" tensors: not a complete EdgeGAN checkpoint`);
    return list;
  };
  try {
    gan.generator.setWeights(need("generator"));
    gan.discriminator.setWeights(need("discriminator"));
    ema.load(need("ema"));
    await gan.gOptimizer.setWeights(
      need("gOptimizer").map((tensor, i) => ({ name: `g_opt_${i}`, tensor })),
    );
    await gan.dOptimizer.setWeights(
      need("dOptimizer").map((tensor, i) => ({ name: `d_opt_${i}`, tensor })),
    );
  } catch (error) {
    throw new Error(`${source} does not fit this model: ${(error as Error).message}`);
  }
}

/** Run (or resume) a training run described by `config`. */
export async function train(config: TrainConfig, options: TrainOptions = {}): Promise<TrainResult> {
  const log = options.log ?? ((m: string) => console.log(m));
  const outDir = resolve(config.out);
  assertWritableDir(outDir);
  for (const name of removeStaleTempFiles(outDir))
    log(`removed ${name}, left by a writer that was killed`);
  if (!config.resume && existsSync(join(outDir, CHECKPOINT_FILE))) {
    throw new Error(
      `${outDir} already holds a checkpoint from an earlier run: pass --resume to continue it, or choose another --out`,
    );
  }

  if (config.publish && !isKnownDataset(config.dataset)) {
    throw new Error(
      `--publish serves models of the bundled datasets (mnist, fashion-mnist); for ${config.dataset}, copy the run's generator.onnx + model.json into apps/edge-api/models/NAME/ and list it in apps/edge-api/src/bundled-models.ts`,
    );
  }
  const backend = await selectBackend(config.backend);
  log(`backend: ${backend.name} (${backend.reason})`);
  const data = loadDataset(config.dataset, "train", config.limitImages);
  const stepsPerEpoch = Math.floor(data.count / config.batchSize);
  if (stepsPerEpoch < 1) {
    throw new Error(
      `--batch-size ${config.batchSize} is larger than the ${data.count} training images`,
    );
  }
  log(`data: ${data.name}, ${data.count} images, ${stepsPerEpoch} steps per epoch`);

  const gan = createGan({
    arch: config.arch,
    lr: config.lr,
    beta1: config.beta1,
    realLabelTarget: config.realLabelTarget,
    generatorWidth: config.gWidth,
    distillWeight: config.distillWeight,
  });
  const teacher: Teacher | null = config.teacher
    ? await openTeacher(config.teacher, data.name)
    : null;
  if (teacher) log(`distilling from ${teacher.version} (weight ${config.distillWeight})`);
  const ema = new WeightEma(gan.generator, config.emaDecay);
  const emaGenerator = buildGenerator(config.arch, config.gWidth);
  const rng = createRng(config.seed);
  let state: RunState = {
    config,
    step: 0,
    epoch: 0,
    stepInEpoch: 0,
    epochSeed: null,
    rngState: rng.getState(),
    wallTimeSeconds: 0,
    backend: backend.name,
    lastLosses: null,
  };

  const metricsPath = join(outDir, "metrics.jsonl");
  const evalHistoryPath = join(outDir, "eval-history.jsonl");
  if (config.resume) {
    const checkpoint = loadCheckpoint(outDir);
    if (!checkpoint)
      throw new Error(
        `--resume: ${join(outDir, CHECKPOINT_FILE)} does not exist; nothing to resume`,
      );
    const mismatches = identityMismatches(checkpoint.state.config, config);
    if (mismatches.length > 0) {
      throw new Error(
        `--resume refused: the checkpoint belongs to a different run (${mismatches.join("; ")})`,
      );
    }
    await restoreTensors(gan, ema, checkpoint.groups, join(outDir, CHECKPOINT_FILE));
    tf.dispose(Object.values(checkpoint.groups).flat());
    rng.setState(checkpoint.state.rngState);
    state = { ...checkpoint.state, config, backend: backend.name };
    truncateJsonLines(metricsPath, state.step);
    truncateJsonLines(evalHistoryPath, state.step);
    log(
      `resumed at step ${state.step} (epoch ${state.epoch} done, ${state.stepInEpoch} steps into the next)`,
    );
  } else {
    rmSync(metricsPath, { force: true });
    rmSync(evalHistoryPath, { force: true });
  }

  const totalSteps = Math.min(
    config.maxSteps ?? Number.POSITIVE_INFINITY,
    config.epochs * stepsPerEpoch,
  );
  const progress = new ProgressReporter(state.step, options.progressStream);
  const metrics = new MetricsLog(metricsPath);
  const processStart = performance.now();
  const wallAtStart = state.wallTimeSeconds;
  let stepMillis = 0;
  let stepsThisProcess = 0;
  let lastCheckpointAt = performance.now();

  const wallTime = () => wallAtStart + (performance.now() - processStart) / 1000;
  const checkpoint = async (why: string) => {
    state.rngState = rng.getState();
    state.wallTimeSeconds = wallTime();
    const path = saveCheckpoint(outDir, state, await tensorGroups(gan, ema));
    lastCheckpointAt = performance.now();
    progress.newline();
    log(`checkpoint (${why}) at step ${state.step}: ${path}`);
  };
  const writeGrid = (file: string) => {
    ema.copyTo(emaGenerator);
    recalibrateBatchNorm(emaGenerator, { seed: config.seed });
    writeFileAtomic(join(outDir, file), renderSampleGrid(emaGenerator, config.seed));
  };

  const evaluateEpoch = async () => {
    // the EMA generator was just copied and BN-recalibrated by writeGrid
    const m = await evaluateGenerator(exportGeneratorToOnnx(emaGenerator, config.arch), {
      dataset: config.dataset,
      classNames: data.classNames,
      log,
      ...options.evaluation,
    });
    const line: EvalHistoryLine = {
      epoch: state.epoch,
      step: state.step,
      frechetDistance: m.frechetDistance,
      floor: m.floor.frechetDistance,
      labelAccuracy: m.labelAccuracy,
      coverage: m.coverage,
    };
    appendJsonLine(evalHistoryPath, line);
    log(
      `eval after epoch ${state.epoch}: Frechet distance ${m.frechetDistance.toFixed(3)} ` +
        `(floor ${m.floor.frechetDistance.toFixed(3)}), label accuracy ${(100 * m.labelAccuracy).toFixed(2)}%`,
    );
  };

  const reachedLimit = () =>
    (config.maxSteps !== null && state.step >= config.maxSteps) ||
    (config.maxMinutes !== null && wallTime() >= config.maxMinutes * 60);
  while (state.epoch < config.epochs && !reachedLimit()) {
    if (state.epochSeed === null) {
      state.epochSeed = rng.nextUint32();
      state.stepInEpoch = 0;
    }
    const order = permutation(data.count, state.epochSeed);
    while (state.stepInEpoch < stepsPerEpoch && !reachedLimit()) {
      const t0 = performance.now();
      const batch = makeBatch(
        data,
        order,
        state.stepInEpoch * config.batchSize,
        config.batchSize,
        rng,
      );
      const teacherImages = teacher
        ? await teacher.imagesFor(batch.z, batch.fakeLabels)
        : undefined;
      const { dLoss, gLoss } = trainStep(gan, { ...batch, teacherImages });
      tf.dispose([...Object.values(batch), ...(teacherImages ? [teacherImages] : [])]);
      if (!Number.isFinite(dLoss) || !Number.isFinite(gLoss)) {
        progress.newline();
        throw new NonFiniteLossError(
          `loss became ${Number.isFinite(dLoss) ? "" : `L_D=${dLoss} `}${Number.isFinite(gLoss) ? "" : `L_G=${gLoss} `}` +
            `at step ${state.step + 1}: training stopped. The last good checkpoint in ${outDir} is kept; ` +
            "try again with a lower --lr in a new --out",
        );
      }
      ema.update(gan.generator, state.step);
      stepMillis += performance.now() - t0;
      stepsThisProcess += 1;
      state.step += 1;
      state.stepInEpoch += 1;
      state.lastLosses = { d: dLoss, g: gLoss };
      metrics.add(dLoss, gLoss);
      if (state.step % config.metricsEvery === 0) {
        metrics.flush({
          step: state.step,
          epoch: state.epoch + state.stepInEpoch / stepsPerEpoch,
          stepsPerSecond: progress.rate(state.step),
          wallTimeSeconds: wallTime(),
        });
      }
      progress.update({
        step: state.step,
        totalSteps,
        epoch: state.epoch,
        epochs: config.epochs,
        dLoss,
        gLoss,
        ...(config.maxMinutes !== null && {
          secondsLeft: Math.max(0, config.maxMinutes * 60 - wallTime()),
        }),
      });
      // let signal handlers run: the steps themselves are synchronous
      await new Promise((r) => setImmediate(r));
      if (options.stopSignal?.aborted) {
        await checkpoint(`stop requested by ${String(options.stopSignal.reason ?? "signal")}`);
        await teacher?.release();
        return {
          status: "interrupted",
          outDir,
          steps: state.step,
          epochs: state.epoch,
          backend: backend.name,
          msPerStep: stepsThisProcess ? stepMillis / stepsThisProcess : null,
          manifest: null,
          publishedTo: null,
        };
      }
      if (
        state.stepInEpoch < stepsPerEpoch && // at an epoch's end the epoch checkpoint follows at once
        config.checkpointMinutes > 0 &&
        performance.now() - lastCheckpointAt > config.checkpointMinutes * 60_000
      ) {
        await checkpoint(`every ${config.checkpointMinutes} min`);
      }
    }
    if (state.stepInEpoch >= stepsPerEpoch) {
      state.epoch += 1;
      state.epochSeed = null;
      state.stepInEpoch = 0;
      writeGrid(`samples-epoch-${state.epoch}.png`);
      await checkpoint(`epoch ${state.epoch} done`);
      if (config.evalEvery > 0 && state.epoch % config.evalEvery === 0) await evaluateEpoch();
    }
  }
  metrics.flush({
    step: state.step,
    epoch: state.epoch + state.stepInEpoch / stepsPerEpoch,
    stepsPerSecond: progress.rate(state.step),
    wallTimeSeconds: wallTime(),
  });
  if (state.stepInEpoch > 0) await checkpoint("end of run");
  await teacher?.release();
  progress.newline();
  writeGrid("samples-final.png");

  // export the EMA generator (its BN statistics were just recalibrated by writeGrid)
  const msPerStep = stepsThisProcess ? stepMillis / stepsThisProcess : null;
  const manifest = await exportVerifiedArtifact(outDir, {
    generator: emaGenerator,
    arch: config.arch,
    generatorWidth: config.arch === "dcgan" ? config.gWidth : null,
    dataset: { name: data.name, classNames: data.classNames },
    seed: config.seed,
    weights: config.onnxWeights,
    training: {
      config: { ...config },
      backend: backend.name,
      steps: state.step,
      epochs: state.epoch + state.stepInEpoch / stepsPerEpoch,
      wallTimeSeconds: Math.round(wallTime()),
      finalLosses: state.lastLosses,
      emaDecay: config.emaDecay,
    },
  });
  log(
    `exported ${join(outDir, manifest.onnx.file)} (parity max abs diff ${manifest.parity.maxAbsDiff.toExponential(2)})`,
  );

  writeReport(
    outDir,
    config,
    state,
    backend.name,
    wallTime(),
    msPerStep,
    manifest.parity.maxAbsDiff,
  );
  const publishedTo = config.publish
    ? publishArtifact(outDir, join(EDGE_MODELS_DIR, config.dataset))
    : null;
  if (publishedTo) log(`published to ${publishedTo}`);
  return {
    status: "completed",
    outDir,
    steps: state.step,
    epochs: state.epoch,
    backend: backend.name,
    msPerStep,
    manifest,
    publishedTo,
  };
}

function writeReport(
  outDir: string,
  config: TrainConfig,
  state: RunState,
  backend: string,
  wallTimeSeconds: number,
  msPerStep: number | null,
  parityMaxAbsDiff: number | null,
): void {
  const metrics = readMetrics(join(outDir, "metrics.jsonl"));
  writeFileAtomic(join(outDir, "loss-curves.svg"), renderLossCurvesSvg(metrics));
  const grids = Array.from({ length: state.epoch }, (_, i) => ({
    file: `samples-epoch-${i + 1}.png`,
    caption: `after epoch ${i + 1}`,
  }));
  grids.push({ file: "samples-final.png", caption: `final (step ${state.step})` });
  writeFileAtomic(
    join(outDir, "report.md"),
    renderReportMarkdown({
      title: `EdgeGAN training report: ${config.arch} on ${config.dataset}`,
      config: { ...config },
      backend,
      steps: state.step,
      epochs: state.epoch,
      wallTimeSeconds,
      msPerStep,
      imagesPerSecond: msPerStep ? (config.batchSize * 1000) / msPerStep : null,
      finalLosses: state.lastLosses,
      parityMaxAbsDiff,
      grids,
      lossCurvesFile: "loss-curves.svg",
      evalHistory: readJsonLines<EvalHistoryLine>(join(outDir, "eval-history.jsonl")),
    }),
  );
}
