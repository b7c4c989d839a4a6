/**
 * Synthetic datasets: equal per-class split, IDX files the trainer's loadDataset reads back,
 * pixels equal to the generator's output for the planned (label, seed).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { equalCounts, planPerClass } from "@edgegan/eval/eval-plan";
import { openOnnxGenerator } from "@edgegan/model/onnx-generator";
import { readModelFolder } from "@edgegan/model/read-model-folder";
import { PIXELS_PER_IMAGE, toPixels } from "@edgegan/shared";
import { buildGeneratorInputs } from "@edgegan/shared/sample-plan";
import { describe, expect, it } from "vitest";
import { copyShippedModel, tempDir } from "../test/fixtures.ts";
import { loadDataset } from "./dataset.ts";
import { SYNTH_INFO_FILE, synthesize, writeSyntheticSet } from "./synthesize.ts";

describe("synthesize + writeSyntheticSet", () => {
  it("writes IDX files that loadDataset(dir, 'train') reads back, labels balanced", async () => {
    const { onnx, manifest } = await readModelFolder(copyShippedModel());
    const set = await synthesize(onnx, equalCounts(23), { seed: 4 });
    const dir = tempDir("synth");
    writeSyntheticSet(dir, set, { onnxSha256: manifest.onnx.sha256, seed: 4 });
    const back = loadDataset(dir, "train");
    expect(back.count).toBe(23);
    const counts = new Array(10).fill(0);
    for (const l of back.labels) counts[l]++;
    expect(counts).toEqual([3, 3, 3, 2, 2, 2, 2, 2, 2, 2]);
    expect(Array.from(back.labels)).toEqual(Array.from(set.labels));
    expect(Array.from(back.labels)).not.toEqual([...back.labels].sort()); // shuffled, not class-major
    const info = JSON.parse(readFileSync(join(dir, SYNTH_INFO_FILE), "utf8"));
    expect(info.perClass).toEqual(counts);
    expect(info.onnxSha256).toBe(manifest.onnx.sha256);

    // every image is the generator's output for one planned (label, seed)
    const plan = planPerClass(equalCounts(23), 4);
    const generator = await openOnnxGenerator(onnx);
    const { z, label } = buildGeneratorInputs(plan);
    const direct = toPixels(await generator.run(z, label, plan.length));
    await generator.release();
    const planned = new Set(
      plan.map((_, i) => direct.subarray(i * PIXELS_PER_IMAGE, (i + 1) * PIXELS_PER_IMAGE).join()),
    );
    for (let i = 0; i < back.count; i++) {
      expect(
        planned.has(set.pixels.subarray(i * PIXELS_PER_IMAGE, (i + 1) * PIXELS_PER_IMAGE).join()),
      ).toBe(true);
    }
  });

  it("honours explicit per-class counts", async () => {
    const { onnx } = await readModelFolder(copyShippedModel());
    const set = await synthesize(onnx, [0, 0, 4, 0, 0, 0, 0, 0, 1, 0]);
    expect(Array.from(set.labels).sort()).toEqual([2, 2, 2, 2, 8]);
  });
});
