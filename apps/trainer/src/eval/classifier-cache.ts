/**
 * The evaluation classifier of a dataset, trained once and cached on disk.
 *
 * A cache entry is a folder `<cacheRoot>/<key>/` holding the model (model-files.ts) and
 * `info.json`: test accuracy, training time, and the reference statistics every evaluation
 * compares against (Gaussian of the test split's features, and the floor: the Frechet distance
 * of a seeded 10,000-image train subset to the test split). The key names the dataset and
 * CLASSIFIER_CODE_VERSION (plus a hash of any non-default options), so changing the classifier's
 * code or training means bumping the version, never reading a stale model. The entry is built in
 * a temp folder and renamed into place, so a crash never leaves half an entry under the key.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type ClassifierTrainOptions,
  DEFAULT_CLASSIFIER_OPTIONS,
  DEFAULT_EPOCHS_BY_DATASET,
  FEATURE_SIZE,
  type LabelledImages,
  readImages,
  trainClassifier,
} from "@edgegan/eval/classifier";
import { type FrechetResult, frechetDistance } from "@edgegan/eval/frechet-distance";
import {
  type GaussianStats,
  type GaussianStatsJson,
  gaussianStats,
  statsFromJson,
  statsToJson,
} from "@edgegan/eval/gaussian-stats";
import { labelMetrics } from "@edgegan/eval/label-metrics";
import { PIXELS_PER_IMAGE } from "@edgegan/shared";
import { gatherRows } from "@edgegan/shared/gather";
import { seededSubset } from "@edgegan/shared/rng";
import * as tf from "@tensorflow/tfjs-core";
import type { LayersModel } from "@tensorflow/tfjs-layers";
import { writeFileAtomic } from "../atomic-write.ts";
import { type Dataset, isKnownDataset, loadDataset } from "../dataset.ts";
import {
  folderFingerprint,
  folderOf,
  isFolderDataset,
  listImageFolder,
} from "../image-folder/image-folder.ts";
import { loadModelFiles, saveModelFiles } from "./model-files.ts";

/**
 * Bump when the classifier's architecture, training or reference computation changes: the
 * cache key changes with it, so every dataset's classifier is retrained once.
 */
export const CLASSIFIER_CODE_VERSION = 2;

/** Train images in the floor's reference set (the same count as generated samples). */
export const FLOOR_SAMPLE_COUNT = 10_000;

/** `apps/trainer/.cache/classifier` (this package's own folder), or `$EDGEGAN_CACHE_DIR/classifier`. */
export function defaultCacheRoot(): string {
  const base = process.env.EDGEGAN_CACHE_DIR
    ? resolve(process.env.EDGEGAN_CACHE_DIR)
    : fileURLToPath(new URL("../../.cache/", import.meta.url));
  return join(base, "classifier");
}

/** Options that shape a classifier and its reference statistics. */
export interface ClassifierBuildOptions extends Partial<ClassifierTrainOptions> {
  /** Use only the first N train images (tests); default all. */
  trainLimit?: number | null;
  /** Use only the first N test images (tests); default all. */
  testLimit?: number | null;
  /** Train images in the floor's reference set; default FLOOR_SAMPLE_COUNT (capped at the split). */
  floorCount?: number;
}

/**
 * The cache key: `<dataset>-v<version>`, plus `-<hash>` of the options when they differ from
 * the defaults. A directory of IDX files is named `dir-<hash of its absolute path>`; an image
 * folder `folder-<hash of its path and contents>`, so adding or changing images retrains it.
 */
export function classifierCacheKey(
  dataset: string,
  options: ClassifierBuildOptions = {},
  version: number = CLASSIFIER_CODE_VERSION,
): string {
  const name = isKnownDataset(dataset)
    ? dataset
    : isFolderDataset(dataset)
      ? `folder-${sha256(`${resolve(folderOf(dataset))}\0${folderFingerprint(listImageFolder(folderOf(dataset)))}`).slice(0, 12)}`
      : `dir-${sha256(resolve(dataset)).slice(0, 12)}`;
  const defaults = normaliseOptions(dataset, {}) as unknown as Record<string, unknown>;
  const custom = Object.entries(normaliseOptions(dataset, options)).filter(
    ([key, value]) => value !== defaults[key],
  );
  const suffix = custom.length === 0 ? "" : `-${sha256(JSON.stringify(custom)).slice(0, 8)}`;
  return `${name}-v${version}${suffix}`;
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

type NormalisedOptions = ClassifierTrainOptions & {
  trainLimit: number | null;
  testLimit: number | null;
  floorCount: number;
};

function normaliseOptions(dataset: string, options: ClassifierBuildOptions): NormalisedOptions {
  return {
    epochs:
      options.epochs ?? DEFAULT_EPOCHS_BY_DATASET[dataset] ?? DEFAULT_CLASSIFIER_OPTIONS.epochs,
    batchSize: options.batchSize ?? DEFAULT_CLASSIFIER_OPTIONS.batchSize,
    learningRate: options.learningRate ?? DEFAULT_CLASSIFIER_OPTIONS.learningRate,
    seed: options.seed ?? DEFAULT_CLASSIFIER_OPTIONS.seed,
    trainLimit: options.trainLimit ?? null,
    testLimit: options.testLimit ?? null,
    floorCount: options.floorCount ?? FLOOR_SAMPLE_COUNT,
  };
}

/** What info.json records about a cached classifier. */
export interface ClassifierInfo {
  key: string;
  codeVersion: number;
  dataset: string;
  options: NormalisedOptions;
  backend: string;
  createdAt: string;
  trainCount: number;
  trainSeconds: number;
  testCount: number;
  /** Share of the test split read correctly. */
  testAccuracy: number;
  /** Per class (index = label). */
  testAccuracyPerClass: number[];
  /** Frechet distance of `floor.trainCount` train images to the test split. */
  floor: FrechetResult & { trainCount: number };
  /** Gaussian of the test split's features. */
  testStats: GaussianStatsJson;
}

/** A loaded classifier with its reference statistics. */
export interface EvalClassifier {
  model: LayersModel;
  info: ClassifierInfo;
  testStats: GaussianStats;
  /** True when it came from the cache (memory or disk), false when trained just now. */
  cached: boolean;
  dir: string;
}

/** Options of {@link loadOrTrainClassifier}. */
export interface LoadOrTrainOptions extends ClassifierBuildOptions {
  /** Cache folder; default {@link defaultCacheRoot}. */
  cacheRoot?: string;
  /** Progress lines; default none. */
  log?: (line: string) => void;
  /** The training function (tests count its calls); default trainClassifier. */
  trainer?: typeof trainClassifier;
}

const memory = new Map<string, EvalClassifier>();

function pick(data: Dataset, indices: Uint32Array): LabelledImages {
  return {
    images: gatherRows(data.images, PIXELS_PER_IMAGE, indices),
    labels: gatherRows(data.labels, 1, indices),
    count: indices.length,
  };
}

async function buildEntry(
  dataset: string,
  key: string,
  dir: string,
  opts: NormalisedOptions,
  trainer: typeof trainClassifier,
  log: (line: string) => void,
): Promise<EvalClassifier> {
  const train = loadDataset(dataset, "train", opts.trainLimit);
  const test = loadDataset(dataset, "test", opts.testLimit);
  log(
    `classifier ${key}: training on ${train.count} ${dataset} images (${tf.getBackend()} backend)...`,
  );
  const started = performance.now();
  const model = await trainer(train, opts, (e) =>
    log(`  epoch ${e.epoch}/${opts.epochs}: loss ${e.loss.toFixed(4)} (${e.seconds.toFixed(0)} s)`),
  );
  const trainSeconds = (performance.now() - started) / 1000;
  const testReadings = await readImages(model, test.images, test.count);
  const reading = labelMetrics(test.labels, testReadings.predictions);
  const overall = reading.labelAccuracy;
  const perClass = reading.labelAccuracyPerClass.map((share) => share ?? 0);
  const testStats = gaussianStats(testReadings.features, test.count, FEATURE_SIZE);
  const floorSet = pick(train, seededSubset(train.count, opts.floorCount, opts.seed + 1));
  const floorReadings = await readImages(model, floorSet.images, floorSet.count);
  const floor = frechetDistance(
    gaussianStats(floorReadings.features, floorSet.count, FEATURE_SIZE),
    testStats,
  );
  const info: ClassifierInfo = {
    key,
    codeVersion: CLASSIFIER_CODE_VERSION,
    dataset,
    options: opts,
    backend: tf.getBackend(),
    createdAt: new Date().toISOString(),
    trainCount: train.count,
    trainSeconds,
    testCount: test.count,
    testAccuracy: overall,
    testAccuracyPerClass: perClass,
    floor: { ...floor, trainCount: floorSet.count },
    testStats: statsToJson(testStats),
  };
  log(
    `classifier ${key}: test accuracy ${(overall * 100).toFixed(2)}% in ${trainSeconds.toFixed(0)} s; ` +
      `floor FD (train ${floorSet.count} vs test) ${floor.distance.toFixed(3)}`,
  );
  const temp = `${dir}.tmp-${process.pid}`;
  rmSync(temp, { recursive: true, force: true });
  mkdirSync(temp, { recursive: true });
  await saveModelFiles(model, temp);
  writeFileAtomic(join(temp, "info.json"), `${JSON.stringify(info)}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(temp, dir);
  return { model, info, testStats, cached: false, dir };
}

async function readEntry(dir: string, key: string): Promise<EvalClassifier> {
  const info = JSON.parse(readFileSync(join(dir, "info.json"), "utf8")) as ClassifierInfo;
  if (info.key !== key || info.codeVersion !== CLASSIFIER_CODE_VERSION) {
    throw new Error(
      `${dir}/info.json is for ${info.key} (code version ${info.codeVersion}), not ${key}`,
    );
  }
  const model = await loadModelFiles(dir);
  return { model, info, testStats: statsFromJson(info.testStats), cached: true, dir };
}

/**
 * The classifier for `dataset`: from this process's memory, else from the disk cache, else
 * trained now (on the active TF.js backend) and cached. A broken cache entry is reported
 * through `log` and rebuilt.
 * @throws Error when the dataset cannot be loaded (see loadDataset) or training fails.
 * @example const { model, info } = await loadOrTrainClassifier("mnist", { log: console.log });
 */
export async function loadOrTrainClassifier(
  dataset: string,
  options: LoadOrTrainOptions = {},
): Promise<EvalClassifier> {
  const { cacheRoot = defaultCacheRoot(), log = () => {}, trainer = trainClassifier } = options;
  const opts = normaliseOptions(dataset, options);
  const key = classifierCacheKey(dataset, opts);
  const dir = join(cacheRoot, key);
  const remembered = memory.get(dir);
  if (remembered) return { ...remembered, cached: true };
  let entry: EvalClassifier | null = null;
  if (existsSync(join(dir, "info.json"))) {
    try {
      entry = await readEntry(dir, key);
      log(`classifier ${key}: cached in ${dir}`);
    } catch (error) {
      log(
        `classifier ${key}: cache entry unusable (${error instanceof Error ? error.message : error}); retraining`,
      );
    }
  }
  entry ??= await buildEntry(dataset, key, dir, opts, trainer, log);
  memory.set(dir, entry);
  return entry;
}

/** Forget classifiers held in memory (tests; frees their weights). */
export function clearClassifierMemory(): void {
  for (const entry of memory.values()) entry.model.dispose();
  memory.clear();
}
