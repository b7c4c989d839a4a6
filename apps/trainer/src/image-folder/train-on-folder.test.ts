/**
 * A tiny run on a folder dataset the test makes: the classes reach the manifest and the grid,
 * the evaluation classifier trains on the folder's training split, and a bad folder stops the
 * run before it writes anything.
 */
import { existsSync, readdirSync, readFileSync, truncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { decodeGrayscalePng } from "@edgegan/shared/png-decode";
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from "@edgegan/shared/train-config";
import { describe, expect, it, vi } from "vitest";
import { TINY_CLASSIFIER, useWasm } from "../../test/fixtures.ts";
import { mnistImageFolder, tempFolder } from "../../test/image-folders.ts";
import { run as evalCommand } from "../commands/eval.ts";
import { loadOrTrainClassifier } from "../eval/classifier-cache.ts";
import { train } from "../train.ts";

const quiet = {
  log: () => {},
  progressStream: { isTTY: false, write: () => true } as unknown as NodeJS.WriteStream,
};

function folderConfig(dataset: string, out: string): TrainConfig {
  return {
    ...DEFAULT_TRAIN_CONFIG,
    dataset,
    arch: "mlp",
    backend: "wasm",
    workers: 1,
    batchSize: 32,
    epochs: 1,
    checkpointMinutes: 0,
    out,
  };
}

describe("train on folder:DIR", () => {
  it("trains, evaluates with a classifier of the folder's training split, and names the classes", async () => {
    const { dir } = mnistImageFolder({ zero: 0, one: 1, two: 2 }, 40);
    const dataset = `folder:${dir}`;
    await useWasm();
    const classifier = await loadOrTrainClassifier(dataset, {
      ...TINY_CLASSIFIER,
      cacheRoot: tempFolder("cache"),
    });
    // 40 per class: round(40 / 7) = 6 held out, 34 trained on
    expect(classifier.info).toMatchObject({ dataset, trainCount: 3 * 34, testCount: 3 * 6 });
    expect(classifier.info.key).toMatch(/^folder-[0-9a-f]{12}-v\d+-/);

    const out = tempFolder("folder-run");
    const result = await train(
      { ...folderConfig(dataset, out), evalEvery: 1 },
      { ...quiet, evaluation: { classifier, samplesPerClass: 4 } },
    );
    expect(result.steps).toBe(3); // 102 images / 32
    // the card (served to anyone) names the folder, never its path on this machine
    expect(result.manifest?.dataset).toEqual({
      name: basename(dir),
      classNames: ["one", "two", "zero"],
    });
    const text = readFileSync(join(out, "model.json"), "utf8");
    expect(text).not.toContain(tmpdir());
    expect(text).not.toContain(dir);
    const model = JSON.parse(text);
    expect(model.dataset.classNames).toEqual(["one", "two", "zero"]);
    expect(model.training.config.dataset).toBe(basename(dir));
    // one grid row per class: 3 rows of 28 px tiles
    const grid = decodeGrayscalePng(new Uint8Array(readFileSync(join(out, "samples-final.png"))));
    expect(grid.height).toBeLessThan(4 * 28);
    expect(grid.height).toBeGreaterThan(3 * 28);
    const history = JSON.parse(readFileSync(join(out, "eval-history.jsonl"), "utf8"));
    expect(history.labelAccuracy).toBeGreaterThanOrEqual(0);
    // eval cannot find the folder from the card: it asks for the flag (exit 2, before any work)
    const err: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk) => err.push(String(chunk)) > 0);
    expect(await evalCommand(["--model", out])).toBe(2);
    vi.restoreAllMocks();
    expect(err.join("")).toMatch(/trained on ".*", a folder .*pass --dataset folder:DIR/);
  });

  it("stops before training on a broken image and leaves the run folder empty", async () => {
    const { dir } = mnistImageFolder({ zero: 0, one: 1 }, 8);
    truncateSync(join(dir, "one", "003.png"), 50);
    const out = tempFolder("folder-bad");
    await expect(train(folderConfig(`folder:${dir}`, out), quiet)).rejects.toThrow(
      new RegExp(`${join(dir, "one", "003.png")}: truncated`),
    );
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });
});
