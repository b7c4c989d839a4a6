/**
 * The memorisation reference of a dataset, for `npm run eval`: its train split and its test split
 * in the classifier's feature space and in pixels, with the test images' nearest-training
 * distances (packages/eval/src/memorisation.ts). Reading 60,000 training images through the
 * classifier and searching 10,000 test images against them in 784 pixels takes minutes on 2
 * cores, and the result depends only on the classifier and the data: so it is built once, kept in
 * the classifier's cache folder (`memorisation-v<N>/`: the train features and the test split's
 * distances, written atomically) and in this process's memory for every model of an eval run.
 *
 * The sets are the classifier's own (its trainLimit / testLimit: all images for the cached judge).
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FEATURE_SIZE, readImages } from "@edgegan/eval/classifier";
import {
  type ImagesInSpaces,
  type MemorisationReference,
  memorisationReference,
  SPACES,
} from "@edgegan/eval/memorisation";
import { PIXELS_PER_IMAGE } from "@edgegan/shared";
import { writeFileAtomic } from "../atomic-write.ts";
import { loadDataset, type Split } from "../dataset.ts";
import type { EvalClassifier } from "./classifier-cache.ts";

/** Bump when the reference's computation changes: the cached files are then rebuilt. */
export const MEMORISATION_CODE_VERSION = 1;

/** What `reference.json` keeps of a reference (the train sets are read again from the data). */
interface StoredReference {
  trainCount: number;
  testCount: number;
  testCalibration: number;
  testHeldOut: number;
  byspace: Record<(typeof SPACES)[number], { threshold: number; heldOut: number[] }>;
}

/** A reference and the train pixels it searched (for the closest pairs' picture). */
export interface LoadedReference {
  reference: MemorisationReference;
  trainPixels: Float32Array;
}

const built = new WeakMap<EvalClassifier, Promise<LoadedReference>>();

/**
 * A split in both spaces; its features come from `featuresFile` when that holds exactly this
 * many, else from the classifier (and are then written there).
 */
async function inSpaces(
  classifier: EvalClassifier,
  split: Split,
  limit: number | null,
  featuresFile: string | null,
): Promise<ImagesInSpaces> {
  const data = loadDataset(classifier.info.dataset, split, limit);
  let features: Float32Array | null = null;
  if (featuresFile && existsSync(featuresFile)) {
    const bytes = readFileSync(featuresFile);
    if (bytes.byteLength === data.count * FEATURE_SIZE * 4) {
      features = new Float32Array(
        bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
      );
    }
  }
  if (!features) {
    features = (await readImages(classifier.model, data.images, data.count)).features;
    if (featuresFile) writeFileAtomic(featuresFile, new Uint8Array(features.buffer));
  }
  return {
    features: { values: features, count: data.count, dim: FEATURE_SIZE },
    pixels: { values: data.images, count: data.count, dim: PIXELS_PER_IMAGE },
  };
}

function readStored(file: string, train: number, test: number): StoredReference | null {
  if (!existsSync(file)) return null;
  try {
    const stored = JSON.parse(readFileSync(file, "utf8")) as StoredReference;
    return stored.trainCount === train && stored.testCount === test ? stored : null;
  } catch {
    return null;
  }
}

async function buildReference(
  classifier: EvalClassifier,
  log: (line: string) => void,
): Promise<LoadedReference> {
  const started = performance.now();
  const { trainLimit, testLimit } = classifier.info.options;
  const folder = existsSync(classifier.dir)
    ? join(classifier.dir, `memorisation-v${MEMORISATION_CODE_VERSION}`)
    : null;
  if (folder) mkdirSync(folder, { recursive: true });
  const file = (name: string) => (folder ? join(folder, name) : null);
  const train = await inSpaces(classifier, "train", trainLimit, file("train-features.f32"));
  const referenceFile = file("reference.json");
  const stored = referenceFile
    ? readStored(referenceFile, train.features.count, classifier.info.testCount)
    : null;
  if (stored) {
    const byspace = Object.fromEntries(
      SPACES.map((s) => [
        s,
        {
          threshold: stored.byspace[s].threshold,
          heldOut: Float32Array.from(stored.byspace[s].heldOut),
        },
      ]),
    ) as MemorisationReference["byspace"];
    return {
      reference: {
        train,
        testCalibration: stored.testCalibration,
        testHeldOut: stored.testHeldOut,
        byspace,
      },
      trainPixels: train.pixels.values,
    };
  }
  const test = await inSpaces(classifier, "test", testLimit, null);
  const reference = await memorisationReference(train, test);
  if (referenceFile) {
    const toStore: StoredReference = {
      trainCount: train.features.count,
      testCount: test.features.count,
      testCalibration: reference.testCalibration,
      testHeldOut: reference.testHeldOut,
      byspace: Object.fromEntries(
        SPACES.map((s) => [
          s,
          {
            threshold: reference.byspace[s].threshold,
            heldOut: Array.from(reference.byspace[s].heldOut),
          },
        ]),
      ) as StoredReference["byspace"],
    };
    writeFileAtomic(referenceFile, `${JSON.stringify(toStore)}\n`);
  }
  log(
    `memorisation reference: ${test.features.count} test vs ${train.features.count} train images ` +
      `in ${((performance.now() - started) / 1000).toFixed(0)} s; near-copy thresholds: features ` +
      `${reference.byspace.features.threshold.toFixed(3)}, pixels ${reference.byspace.pixels.threshold.toFixed(3)}`,
  );
  return { reference, trainPixels: train.pixels.values };
}

/**
 * The reference for a classifier's dataset, built on first use in this process.
 * @param log progress lines
 */
export function loadMemorisationReference(
  classifier: EvalClassifier,
  log: (line: string) => void = () => {},
): Promise<LoadedReference> {
  const known = built.get(classifier);
  if (known) return known;
  const building = buildReference(classifier, log);
  built.set(classifier, building);
  building.catch(() => built.delete(classifier));
  return building;
}
