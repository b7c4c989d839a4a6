/**
 * Side-by-side sample grid of several served models: for each model a 10x10 block (row = class,
 * column = one fixed seed), exactly the images `GET /sample?count=1&label=<row>&seed=<col>` gives
 * for that model, separated by a gap. It shows at a glance whether a lean or distilled model
 * keeps the look (and, for a student, the very digits) of the model it replaces.
 *
 *   npm run side-by-side -w @edgegan/experiments -- --out docs/lean-generator/side-by-side.png DIR [DIR ...]
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { generatePlan, openOnnxGenerator } from "@edgegan/model/onnx-generator";
import { readModelFolder } from "@edgegan/model/read-model-folder";
import { IMAGE_SIZE, NUM_CLASSES, PIXELS_PER_IMAGE, toPixels } from "@edgegan/shared";
import { encodeGridPng } from "@edgegan/shared/png";
import type { PlannedImage } from "@edgegan/shared/sample-plan";

const { values, positionals } = parseArgs({
  options: { out: { type: "string" } },
  allowPositionals: true,
});
const out = values.out ?? "";
if (!out || positionals.length === 0) {
  throw new Error("usage: side-by-side.ts --out FILE.png MODEL_DIR [MODEL_DIR ...]");
}

// the same (label, seed) for every model: row = class, column = seed 1..10
const plan: PlannedImage[] = [];
for (let row = 0; row < NUM_CLASSES; row++) {
  for (let col = 0; col < NUM_CLASSES; col++) {
    plan.push({ index: plan.length, label: row, seed: col + 1 });
  }
}

async function main(): Promise<void> {
  const gap = 1; // one empty column of tiles between the models' blocks
  const columns = positionals.length * NUM_CLASSES + (positionals.length - 1) * gap;
  const tiles = new Uint8Array(columns * NUM_CLASSES * PIXELS_PER_IMAGE).fill(255);
  for (const [m, dir] of positionals.entries()) {
    const generator = await openOnnxGenerator((await readModelFolder(dir)).onnx);
    const pixels = toPixels(await generatePlan(generator, plan));
    await generator.release();
    for (const item of plan) {
      const tile = item.label * columns + m * (NUM_CLASSES + gap) + (item.index % NUM_CLASSES);
      tiles.set(
        pixels.subarray(item.index * PIXELS_PER_IMAGE, (item.index + 1) * PIXELS_PER_IMAGE),
        tile * PIXELS_PER_IMAGE,
      );
    }
    console.log(`block ${m + 1}: ${dir}`);
  }
  writeFileSync(
    out,
    encodeGridPng(tiles, columns * NUM_CLASSES, { columns, padding: 1, tileSize: IMAGE_SIZE }),
  );
  console.log(`wrote ${out}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
