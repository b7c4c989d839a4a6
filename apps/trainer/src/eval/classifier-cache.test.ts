/**
 * The classifier cache: the first call trains and writes an entry, a later call (even in a new
 * process, simulated by clearing memory) loads it without training and reads images the same;
 * the key changes with dataset, code version and options; a corrupt entry is rebuilt.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readImages, trainClassifier } from "@edgegan/eval/classifier";
import { beforeAll, describe, expect, it } from "vitest";
import { TINY_CLASSIFIER, tempDir, useWasm } from "../../test/fixtures.ts";
import { loadDataset } from "../dataset.ts";
import {
  CLASSIFIER_CODE_VERSION,
  classifierCacheKey,
  clearClassifierMemory,
  loadOrTrainClassifier,
} from "./classifier-cache.ts";

beforeAll(useWasm);

describe("classifierCacheKey", () => {
  it("names dataset and code version, and changes with either or with the options", () => {
    expect(classifierCacheKey("mnist")).toBe(`mnist-v${CLASSIFIER_CODE_VERSION}`);
    expect(classifierCacheKey("fashion-mnist")).toBe(`fashion-mnist-v${CLASSIFIER_CODE_VERSION}`);
    expect(classifierCacheKey("mnist", {}, CLASSIFIER_CODE_VERSION + 1)).not.toBe(
      classifierCacheKey("mnist"),
    );
    expect(classifierCacheKey("mnist", { epochs: 1 })).toMatch(/^mnist-v\d+-[0-9a-f]{8}$/);
    expect(classifierCacheKey("mnist", { epochs: 1 })).not.toBe(
      classifierCacheKey("mnist", { epochs: 2 }),
    );
    expect(classifierCacheKey("/data/a")).toMatch(/^dir-[0-9a-f]{12}-v/);
    expect(classifierCacheKey("/data/a")).not.toBe(classifierCacheKey("/data/b"));
  });
});

describe("loadOrTrainClassifier", () => {
  it("trains once, then loads from disk without training and reads images identically", async () => {
    const cacheRoot = tempDir("cache");
    let trainings = 0;
    const trainer: typeof trainClassifier = (...args) => {
      trainings++;
      return trainClassifier(...args);
    };
    const first = await loadOrTrainClassifier("mnist", { ...TINY_CLASSIFIER, cacheRoot, trainer });
    expect(first.cached).toBe(false);
    expect(trainings).toBe(1);
    expect(existsSync(join(first.dir, "info.json"))).toBe(true);
    expect(first.info.testCount).toBe(200);
    expect(first.info.floor.trainCount).toBe(120);
    expect(first.info.testAccuracy).toBeGreaterThan(0.3); // one epoch on 300 images: well above chance

    const again = await loadOrTrainClassifier("mnist", { ...TINY_CLASSIFIER, cacheRoot, trainer });
    expect(again.cached).toBe(true);
    const test = loadDataset("mnist", "test", 50);
    const a = await readImages(first.model, test.images, test.count);
    clearClassifierMemory(); // disposes first.model
    const fromDisk = await loadOrTrainClassifier("mnist", {
      ...TINY_CLASSIFIER,
      cacheRoot,
      trainer,
    });
    expect(fromDisk.cached).toBe(true);
    expect(trainings).toBe(1);
    expect(fromDisk.info).toEqual(first.info);

    const b = await readImages(fromDisk.model, test.images, test.count);
    expect(Array.from(b.predictions)).toEqual(Array.from(a.predictions));
    expect(Array.from(b.features)).toEqual(Array.from(a.features));

    // other options: another key, hence a new training
    clearClassifierMemory();
    await loadOrTrainClassifier("mnist", { ...TINY_CLASSIFIER, seed: 2, cacheRoot, trainer });
    expect(trainings).toBe(2);
  });

  it("rebuilds an entry whose weights were corrupted", async () => {
    const cacheRoot = tempDir("cache");
    const first = await loadOrTrainClassifier("mnist", { ...TINY_CLASSIFIER, cacheRoot });
    clearClassifierMemory();
    writeFileSync(join(first.dir, "weights.bin"), new Uint8Array(10));
    const lines: string[] = [];
    const rebuilt = await loadOrTrainClassifier("mnist", {
      ...TINY_CLASSIFIER,
      cacheRoot,
      log: (l) => lines.push(l),
    });
    expect(rebuilt.cached).toBe(false);
    expect(lines.join("\n")).toMatch(/unusable .*weights\.bin does not match/);
    clearClassifierMemory();
  });
});
