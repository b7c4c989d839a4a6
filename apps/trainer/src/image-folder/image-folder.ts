/**
 * `--dataset folder:DIR`: a folder of class subfolders of PNG or JPEG files, as torchvision's
 * ImageFolder and Keras's image_dataset_from_directory read them.
 *
 *   DIR/cat/0001.png, DIR/cat/more/0002.jpg, DIR/dog/x.jpeg, ...
 *
 * - Classes: DIR's subfolders (symlinks to folders count), hidden ones (".x") skipped, in sorted
 *   (code-point) order: label i is the i-th name. 1 to NUM_CLASSES (10) of them, each holding at
 *   least 2 images (one to train on, one held out). Files directly in DIR are ignored.
 * - Images: files ending .png, .jpg or .jpeg (any case) anywhere below a class folder, following
 *   symlinks (a loop is an error); other files are skipped. All must have one size (width x
 *   height); each becomes 28x28 grayscale by the rule in to-model-image.ts.
 * - Held-out split: per class, the sorted file list is shuffled with a fixed seed
 *   (FOLDER_SPLIT_SEED) and max(1, round(n / 7)) images are held out for evaluation: MNIST's own
 *   60,000 / 10,000 proportion. The training images are then shuffled together (same stream), so
 *   `--limit-images N` takes a random mix of classes. The split depends only on the file names.
 *
 * Every problem throws an Error naming the file or folder, before any training starts.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, realpathSync, type Stats, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { NUM_CLASSES, PIXELS_PER_IMAGE } from "@edgegan/shared";
import { createRng } from "@edgegan/shared/rng";
import { decodeImage } from "./decode-image.ts";
import { toModelImage } from "./to-model-image.ts";

/** How a folder dataset is named on the command line: `folder:DIR`. */
export const FOLDER_PREFIX = "folder:";

/** Seed of the held-out split (fixed: the split must not move with the training seed). */
export const FOLDER_SPLIT_SEED = 0x1f01de5;

/** One image in seven is held out, as MNIST's 10,000 of 70,000. */
export const HELD_OUT_ONE_IN = 7;

const IMAGE_EXTENSION = /\.(png|jpe?g)$/i;

/** Whether `dataset` is a `folder:DIR` argument. */
export function isFolderDataset(dataset: string): boolean {
  return dataset.startsWith(FOLDER_PREFIX);
}

/** The folder of a `folder:DIR` argument (as written). */
export function folderOf(dataset: string): string {
  return dataset.slice(FOLDER_PREFIX.length);
}

/** One image file and its class. */
export interface FolderImage {
  path: string;
  label: number;
}

/** A scanned image folder: classes in label order and the two splits' files. */
export interface FolderListing {
  dir: string;
  classNames: string[];
  train: FolderImage[];
  test: FolderImage[];
}

function statOf(path: string, what: string): Stats {
  try {
    return statSync(path);
  } catch (error) {
    throw new Error(
      `${what} ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
}

/** The class folder names of `dir`, sorted; checks 1..NUM_CLASSES exist. */
export function folderClassNames(dir: string): string[] {
  const root = resolve(dir);
  if (!statOf(root, "--dataset folder:").isDirectory()) {
    throw new Error(`--dataset folder:${dir}: ${root} is not a folder`);
  }
  const names = readdirSync(root)
    .filter((name) => !name.startsWith(".") && statOf(join(root, name), "entry").isDirectory())
    .sort();
  if (names.length === 0) {
    throw new Error(
      `${root} holds no class folders: put each class's images in a subfolder named after the class (${root}/cat/1.png, ${root}/dog/2.jpg)`,
    );
  }
  if (names.length > NUM_CLASSES) {
    throw new Error(
      `${root} holds ${names.length} class folders, but the model takes at most ${NUM_CLASSES} classes; ` +
        `the ${NUM_CLASSES + 1}th in sorted order is ${join(root, names[NUM_CLASSES] as string)} (remove or merge classes)`,
    );
  }
  return names;
}

/** Image files below `dir` (recursive, symlinks followed), sorted; `ancestors` detects loops. */
function imagesBelow(dir: string, ancestors: Set<string>): string[] {
  const real = realpathSync(dir);
  if (ancestors.has(real)) {
    throw new Error(`symlink loop: ${dir} leads back to ${real}, a folder that contains it`);
  }
  const inner = new Set(ancestors).add(real);
  const found: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith(".")) continue;
    const path = join(dir, name);
    const stats = statOf(path, "file");
    if (stats.isDirectory()) found.push(...imagesBelow(path, inner));
    else if (stats.isFile() && IMAGE_EXTENSION.test(name)) found.push(path);
  }
  return found;
}

/** Shuffle in place with the given RNG (Fisher-Yates). */
function shuffle<T>(items: T[], rng: ReturnType<typeof createRng>): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

/**
 * Scan `dir`: its classes, and each split's files (see the file header for the rules).
 * @throws Error naming the folder: not a folder, no classes, more than 10, a class with fewer
 *   than 2 images, a symlink loop, an unreadable entry
 */
export function listImageFolder(dir: string): FolderListing {
  const root = resolve(dir);
  const classNames = folderClassNames(root);
  const rng = createRng(FOLDER_SPLIT_SEED);
  const train: FolderImage[] = [];
  const test: FolderImage[] = [];
  classNames.forEach((name, label) => {
    const classDir = join(root, name);
    const files = imagesBelow(classDir, new Set([realpathSync(root)]));
    if (files.length < 2) {
      throw new Error(
        `class folder ${classDir} holds ${files.length === 0 ? "no" : "only one"} PNG or JPEG file (.png, .jpg, .jpeg); ` +
          "every class needs at least 2 images: one to train on, one held out for evaluation",
      );
    }
    const order = shuffle(files.slice(), rng);
    const heldOut = Math.max(1, Math.round(files.length / HELD_OUT_ONE_IN));
    for (const path of order.slice(0, heldOut)) test.push({ path, label });
    for (const path of order.slice(heldOut)) train.push({ path, label });
  });
  shuffle(train, rng);
  return { dir: root, classNames, train, test };
}

/**
 * A fingerprint of the folder's contents (names, sizes, modification times): the evaluation
 * classifier cached for a folder is retrained when it changes.
 */
export function folderFingerprint(listing: FolderListing): string {
  const hash = createHash("sha256");
  for (const { path, label } of [...listing.train, ...listing.test].sort((a, b) =>
    a.path < b.path ? -1 : 1,
  )) {
    const stats = statSync(path);
    hash.update(`${relative(listing.dir, path)}\0${label}\0${stats.size}\0${stats.mtimeMs}\n`);
  }
  return hash.digest("hex");
}

/** Both splits of a folder, converted: uint8 [count * 784] pixels and uint8 [count] labels each. */
export interface FolderData {
  dir: string;
  classNames: string[];
  train: { pixels: Uint8Array; labels: Uint8Array; count: number };
  test: { pixels: Uint8Array; labels: Uint8Array; count: number };
}

/**
 * Read, decode and convert every image of the folder (both splits: the size check spans them).
 * @throws Error naming the file: unreadable, neither PNG nor JPEG, truncated or corrupt, or of
 *   another size than the first image; or the folder errors of listImageFolder
 */
export function readImageFolder(dir: string): FolderData {
  const listing = listImageFolder(dir);
  const all = [...listing.train, ...listing.test];
  const pixels = new Uint8Array(all.length * PIXELS_PER_IMAGE);
  let first: { path: string; width: number; height: number } | null = null;
  all.forEach(({ path }, i) => {
    let decoded: ReturnType<typeof decodeImage>;
    try {
      decoded = decodeImage(readFileSync(path));
    } catch (error) {
      throw new Error(`${path}: ${(error as Error).message}`);
    }
    first ??= { path, width: decoded.width, height: decoded.height };
    if (decoded.width !== first.width || decoded.height !== first.height) {
      throw new Error(
        `${path} is ${decoded.width}x${decoded.height}, but ${first.path} is ${first.width}x${first.height}: ` +
          "every image of a folder dataset must have the same size (resize them to one size first)",
      );
    }
    pixels.set(toModelImage(decoded), i * PIXELS_PER_IMAGE);
  });
  const split = (files: FolderImage[], from: number) => ({
    pixels: pixels.subarray(from * PIXELS_PER_IMAGE, (from + files.length) * PIXELS_PER_IMAGE),
    labels: Uint8Array.from(files, (f) => f.label),
    count: files.length,
  });
  return {
    dir: listing.dir,
    classNames: listing.classNames,
    train: split(listing.train, 0),
    test: split(listing.test, listing.train.length),
  };
}
