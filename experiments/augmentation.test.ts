/** Plumbing of the augmentation experiment at toy size: rows, epochs scaled to the set size, table. */

import { readModelFolder } from "@edgegan/model/read-model-folder";
import { EDGE_MODEL_DIR, selectBackend } from "@edgegan/trainer";
import { beforeAll, describe, expect, it } from "vitest";
import { augmentationTable, runAugmentationExperiment } from "./augmentation.ts";

beforeAll(() => selectBackend("wasm"));

describe("runAugmentationExperiment", () => {
  it("trains with and without synthetic data per real size and reports test accuracy", async () => {
    const { onnx } = await readModelFolder(EDGE_MODEL_DIR);
    const lines: string[] = [];
    const rows = await runAugmentationExperiment({
      onnx,
      dataset: "mnist",
      realSizes: [20, 60],
      syntheticCount: 40,
      imagesSeen: 120,
      testLimit: 50,
      batchSize: 20,
      log: (l) => lines.push(l),
    });
    expect(rows.map((r) => [r.real, r.synthetic, r.epochs])).toEqual([
      [20, 0, 6],
      [20, 40, 2],
      [60, 0, 2],
      [60, 40, 1],
    ]);
    for (const r of rows) {
      expect(r.testAccuracy).toBeGreaterThanOrEqual(0);
      expect(r.testAccuracy).toBeLessThanOrEqual(1);
      expect(r.testAccuracy * 50).toBeCloseTo(Math.round(r.testAccuracy * 50), 9); // a share of 50 test images
    }
    expect(lines[0]).toMatch(/generating 40 synthetic images/);
    const table = augmentationTable(rows);
    expect(table.split("\n")[2]).toMatch(/^\| 20 \| 0 \| 6 \| \d+\.\d\d% \|$/);
  });
});
