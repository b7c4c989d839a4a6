/**
 * Opening a training run: check the folder, choose the backend, load the data, build the GAN
 * (and the teacher when distilling), and either start fresh or restore the checkpoint of an
 * earlier run with the same identity. Everything the loop needs comes back as one `Run`.
 */
import { accessSync, constants, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { createGanStepper, type GanStepper } from "@edgegan/model/data-parallel/data-parallel";
import { applyGanState } from "@edgegan/model/gan-state";
import { buildGenerator } from "@edgegan/model/generator";
import { readModelFolder } from "@edgegan/model/read-model-folder";
import { createGan, type Gan } from "@edgegan/model/train-step";
import type { TeacherRef } from "@edgegan/shared";
import { createRng, type Rng } from "@edgegan/shared/rng";
import { ganSettingsOf, identityMismatches, type TrainConfig } from "@edgegan/shared/train-config";
import type { LayersModel } from "@tensorflow/tfjs-layers";
import { removeStaleTempFiles } from "./atomic-write.ts";
import { type BackendChoice, backendLine, selectBackend } from "./backend.ts";
import { startCursor } from "./batches.ts";
import { CHECKPOINT_FILE, loadCheckpoint, type RunState } from "./checkpoint.ts";
import { type Dataset, loadDataset } from "./dataset.ts";
import { WeightEma } from "./ema.ts";
import { truncateJsonLines } from "./metrics-log.ts";
import { openTeacher, type Teacher, teacherRefOf } from "./teacher.ts";

/** An open run: what the training loop works with. */
export interface Run {
  config: TrainConfig;
  outDir: string;
  backend: BackendChoice;
  data: Dataset;
  stepsPerEpoch: number;
  /** The steps the run plans in all: --epochs of the data, capped by --max-steps (--lr-decay ends there). */
  plannedSteps: number;
  gan: Gan;
  /** The EMA of G's weights, and a generator to copy it into for grids and the export. */
  ema: WeightEma;
  emaGenerator: LayersModel;
  /** The model being distilled from (--teacher), or null. */
  teacher: Teacher | null;
  /** Steps the GAN, on this thread alone or over worker threads (--workers). */
  stepper: GanStepper;
  rng: Rng;
  state: RunState;
  paths: { metrics: string; evalHistory: string };
}

/** Stands in until openRun creates the real stepper last. */
const NO_STEPPER: GanStepper = {
  workers: 0,
  step: () => Promise.reject(new Error("the run is not open yet")),
  replicaWeights: () => Promise.resolve([]),
  timings: () => [],
  close: async () => {},
};

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

/**
 * Open (or, with config.resume, reopen) the run `config` describes.
 * @throws Error before any training when the folder, data, flags or checkpoint do not allow it
 */
export async function openRun(config: TrainConfig, log: (message: string) => void): Promise<Run> {
  const outDir = resolve(config.out);
  assertWritableDir(outDir);
  for (const name of removeStaleTempFiles(outDir))
    log(`removed ${name}, left by a writer that was killed`);
  if (!config.resume && existsSync(join(outDir, CHECKPOINT_FILE))) {
    throw new Error(
      `${outDir} already holds a checkpoint from an earlier run: pass --resume to continue it, or choose another --out`,
    );
  }

  const backend = await selectBackend(config.backend);
  log(backendLine(backend));
  const data = loadDataset(config.dataset, "train", config.limitImages);
  const stepsPerEpoch = Math.floor(data.count / config.batchSize);
  if (stepsPerEpoch < 1) {
    throw new Error(
      `--batch-size ${config.batchSize} is larger than the ${data.count} training images`,
    );
  }
  log(`data: ${data.name}, ${data.count} images, ${stepsPerEpoch} steps per epoch`);

  const gan = createGan(ganSettingsOf(config));
  const plannedSteps = Math.min(config.maxSteps ?? Infinity, config.epochs * stepsPerEpoch);
  if (config.lrDecay === "linear") {
    log(
      `learning rates: full for the first ${100 * config.lrDecayStart}% of ${plannedSteps} steps, then falling linearly to 0 at the end` +
        (config.maxMinutes === null ? "" : " (a --max-minutes stop does not shorten the schedule)"),
    );
  }
  const teacher = config.teacher ? await openTeacher(config.teacher, data.name) : null;
  if (teacher) log(`distilling from ${teacher.version} (weight ${config.distillWeight})`);

  const ema = new WeightEma(gan.generator, config.emaDecay);
  const rng = createRng(config.seed);
  const paths = {
    metrics: join(outDir, "metrics.jsonl"),
    evalHistory: join(outDir, "eval-history.jsonl"),
  };
  const run: Run = {
    config,
    outDir,
    backend,
    data,
    stepsPerEpoch,
    plannedSteps,
    gan,
    ema,
    emaGenerator: buildGenerator(config.arch, config.generatorWidth),
    teacher,
    stepper: NO_STEPPER,
    rng,
    paths,
    state: {
      config,
      ...startCursor(),
      rngState: rng.getState(),
      wallTimeSeconds: 0,
      backend: backend.name,
      lastLosses: null,
      teacher: teacher?.ref ?? null,
    },
  };
  if (config.resume) {
    await restoreRun(run, log).catch(async (error: unknown) => {
      await teacher?.release();
      throw error;
    });
  } else {
    rmSync(paths.metrics, { force: true });
    rmSync(paths.evalHistory, { force: true });
  }
  // last, once nothing else can fail: the worker threads must not outlive a refused run.
  // Every core by default for the DCGAN on wasm/cpu; one thread on the GPU or native backends
  // (they use the cores themselves) and for the MLP GAN by default (its ~0.1 s step is too small
  // for the weight copies: 2 workers measured 0.80x).
  const parallel = backend.name === "wasm" || backend.name === "cpu";
  const byDefault = config.arch === "mlp" ? 1 : availableParallelism();
  const workers = parallel ? (config.workers ?? byDefault) : 1;
  if (!parallel && (config.workers ?? 1) > 1) {
    log(`--workers ${config.workers} ignored: the ${backend.name} backend uses the cores itself`);
  }
  run.stepper = await createGanStepper(
    gan,
    Math.min(workers, config.batchSize),
    backend.name === "cpu" ? "cpu" : "wasm",
  );
  if (run.stepper.workers > 1) log(`data-parallel: ${run.stepper.workers} shards per step`);
  return run;
}

/** Put an earlier run's checkpoint back (same identity required). */
async function restoreRun(run: Run, log: (message: string) => void): Promise<void> {
  const { config, outDir, gan, ema, rng, paths, backend } = run;

  const checkpoint = loadCheckpoint(outDir);
  if (!checkpoint)
    throw new Error(`--resume: ${join(outDir, CHECKPOINT_FILE)} does not exist; nothing to resume`);
  const mismatches = identityMismatches(checkpoint.state.config, config);
  const teacherDiffers = await teacherMismatch(checkpoint.state, run.teacher);
  if (teacherDiffers) mismatches.push(teacherDiffers);
  if (mismatches.length > 0) {
    throw new Error(
      `--resume refused: the checkpoint belongs to a different run (${mismatches.join("; ")})`,
    );
  }
  try {
    await applyGanState(gan, checkpoint.tensors);
    ema.load(checkpoint.tensors.ema);
  } catch (error) {
    const path = join(outDir, CHECKPOINT_FILE);
    throw new Error(`${path} does not fit this model: ${(error as Error).message}`);
  }
  rng.setState(checkpoint.state.rngState);
  run.state = {
    ...checkpoint.state,
    config,
    backend: backend.name,
    teacher: run.teacher?.ref ?? null,
  };
  truncateJsonLines(paths.metrics, run.state.step);
  truncateJsonLines(paths.evalHistory, run.state.step);
  log(
    `resumed at step ${run.state.step} (epoch ${run.state.epoch} done, ${run.state.stepInEpoch} steps into the next)`,
  );
}

/**
 * Why the checkpoint's teacher is not this run's, or null when it is the same model (or both have
 * none). Compared by sha256, so the same model under another path (another checkout, another
 * machine) resumes. A checkpoint from before the teacher was recorded names it only by its path:
 * the model that path holds now stands in, and if it holds none, the path itself.
 */
async function teacherMismatch(state: RunState, teacher: Teacher | null): Promise<string | null> {
  const current = teacher?.ref ?? null;
  const savedPath = state.config.teacher ?? null;
  const saved = state.teacher !== undefined ? state.teacher : await modelAt(savedPath);
  if (saved === "missing") {
    return `teacher: the checkpoint names it only by the path ${savedPath}, which holds no model now; put the teacher back there to resume`;
  }
  if (saved?.sha256 === current?.sha256) return null;
  const describe = (ref: TeacherRef | null) =>
    ref ? `${ref.version} (sha256 ${ref.sha256.slice(0, 12)}...)` : "none";
  return `teacher: checkpoint has ${describe(saved)}, this run has ${describe(current)}`;
}

/** The model folder at `path` by name, version and sha256; "missing" when it holds no verified model. */
async function modelAt(path: string | null): Promise<TeacherRef | null | "missing"> {
  if (path === null) return null;
  try {
    return teacherRefOf(path, (await readModelFolder(path)).manifest);
  } catch {
    return "missing";
  }
}
