/**
 * Is the hand really shared? For many seeds, the digits 0-9 drawn as `/sample?labels=0,...,9&
 * style=shared` (one latent vector) and as `style=each` (one vector per digit), with the served
 * model, exactly as the API plans them. Two features of every image, from its intensity field:
 *
 * - slant: the shear mu11 / mu02 of the central second moments (x over y: > 0 leans right);
 * - stroke width: 2 * ink area / outline length (a stroke of length L and width w has area L w
 *   and an outline of about 2 L), in pixels, at the half-intensity level.
 *
 * Classes differ in both (a 1 is thinner than an 8), so each feature is standardised per class
 * over all images first; then the spread (standard deviation) of the ten digits of one sequence
 * is compared between the two styles. A shared hand should spread much less.
 * Also writes the picture of ten seeds writing 0123456789 (rows: seeds 1-10, style=shared).
 *
 *   npm run shared-hand -w @edgegan/experiments -- --model apps/edge-api/models/mnist --seeds 500 \
 *     --out docs/marketing-outputs
 */
import { renameSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { generatePlan, openOnnxGenerator } from "@edgegan/model/onnx-generator";
import { readModelFolder } from "@edgegan/model/read-model-folder";
import { IMAGE_SIZE, NUM_CLASSES, PIXELS_PER_IMAGE, toPixels } from "@edgegan/shared";
import { encodeGridPng } from "@edgegan/shared/png";
import { upscaleTiles } from "@edgegan/shared/resample";
import { type PlannedImage, planSample } from "@edgegan/shared/sample-plan";

const { values } = parseArgs({
  options: {
    model: { type: "string", default: "apps/edge-api/models/mnist" },
    seeds: { type: "string", default: "500" },
    out: { type: "string", default: "docs/marketing-outputs" },
  },
});
const seedCount = Number(values.seeds);
// paths as given where npm was run (npm run -w runs this in experiments/)
const from = (path: string) => resolve(process.env.INIT_CWD ?? process.cwd(), path);
const modelDir = from(values.model);
const outDir = from(values.out);
const DIGITS = Array.from({ length: NUM_CLASSES }, (_, i) => i);

/** Slant and stroke width of one 28x28 intensity image. */
function handFeatures(pixels: Uint8Array): { slant: number; width: number } {
  let mass = 0;
  let sx = 0;
  let sy = 0;
  for (let y = 0; y < IMAGE_SIZE; y++) {
    for (let x = 0; x < IMAGE_SIZE; x++) {
      const v = pixels[y * IMAGE_SIZE + x] as number;
      mass += v;
      sx += v * x;
      sy += v * y;
    }
  }
  const cx = sx / mass;
  const cy = sy / mass;
  let mu11 = 0;
  let mu02 = 0;
  let area = 0;
  let outline = 0;
  const ink = (x: number, y: number) =>
    x >= 0 &&
    y >= 0 &&
    x < IMAGE_SIZE &&
    y < IMAGE_SIZE &&
    (pixels[y * IMAGE_SIZE + x] as number) >= 128;
  for (let y = 0; y < IMAGE_SIZE; y++) {
    for (let x = 0; x < IMAGE_SIZE; x++) {
      const v = pixels[y * IMAGE_SIZE + x] as number;
      mu11 += v * (x - cx) * (y - cy);
      mu02 += v * (y - cy) ** 2;
      if (!ink(x, y)) continue;
      area += 1;
      // pixel edges between ink and no ink
      for (const [dx, dy] of [
        [1, 0],
        [-1, 0],
        [0, 1],
        [0, -1],
      ] as const)
        if (!ink(x + dx, y + dy)) outline += 1;
    }
  }
  // y grows downwards: a stroke leaning right has x decreasing as y grows, so negate
  return { slant: -mu11 / mu02, width: outline > 0 ? (2 * area) / outline : 0 };
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: readonly number[]) => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
};
const median = (xs: readonly number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/** Features of every image of `seedCount` sequences 0-9 in one style: [sequence][digit]. */
async function sequences(
  generator: Awaited<ReturnType<typeof openOnnxGenerator>>,
  style: "shared" | "each",
) {
  const plan: PlannedImage[] = [];
  for (let s = 1; s <= seedCount; s++) {
    for (const image of planSample({ count: NUM_CLASSES, labels: DIGITS, style, seed: s })) {
      plan.push({ ...image, index: plan.length });
    }
  }
  const pixels = toPixels(await generatePlan(generator, plan));
  const features = plan.map((image) =>
    handFeatures(
      pixels.subarray(image.index * PIXELS_PER_IMAGE, (image.index + 1) * PIXELS_PER_IMAGE),
    ),
  );
  return {
    pixels,
    rows: Array.from({ length: seedCount }, (_, s) => features.slice(s * 10, s * 10 + 10)),
  };
}

type Rows = { slant: number; width: number }[][];

/** Per-class standardised feature, then each sequence's spread; the median over sequences. */
function spread(rows: Rows, all: Rows, feature: "slant" | "width"): number {
  const byClass = DIGITS.map((d) =>
    all.map((row) => (row[d] as { slant: number; width: number })[feature]),
  );
  const stats = byClass.map((xs) => ({ m: mean(xs), s: std(xs) }));
  return median(
    rows.map((row) =>
      std(row.map((f, d) => (f[feature] - (stats[d]?.m ?? 0)) / (stats[d]?.s ?? 1))),
    ),
  );
}

async function main(): Promise<void> {
  const generator = await openOnnxGenerator((await readModelFolder(modelDir)).onnx);
  const shared = await sequences(generator, "shared");
  const each = await sequences(generator, "each");
  await generator.release();
  const all = [...shared.rows, ...each.rows];
  const lines = [
    `| feature (standardised per class) | spread inside a shared sequence | across independent vectors (style=each) | ratio |`,
    `| --- | --- | --- | --- |`,
  ];
  const results: Record<string, { shared: number; each: number }> = {};
  for (const feature of ["slant", "width"] as const) {
    const s = spread(shared.rows, all, feature);
    const e = spread(each.rows, all, feature);
    results[feature] = { shared: s, each: e };
    lines.push(
      `| ${feature === "slant" ? "slant (shear mu11/mu02)" : "stroke width (2 area / outline)"} | ${s.toFixed(3)} | ${e.toFixed(3)} | ${(e / s).toFixed(2)}x |`,
    );
  }
  const table = lines.join("\n");
  console.log(`${seedCount} seeds x 10 digits per style, model ${values.model}\n${table}`);
  const json = join(outDir, "shared-hand.json");
  writeFileSync(
    `${json}.tmp`,
    `${JSON.stringify({ model: values.model, seeds: seedCount, spreadMedian: results }, null, 2)}\n`,
  );
  renameSync(`${json}.tmp`, json);

  // ten seeds writing 0123456789: shared rows of seeds 1..10, bicubic 2x, dark on light
  const rows = 10;
  const tiles = shared.pixels.subarray(0, rows * NUM_CLASSES * PIXELS_PER_IMAGE);
  const smooth = upscaleTiles(tiles, rows * NUM_CLASSES, 2, "bicubic").map((v) => 255 - v);
  const picture = join(outDir, "ten-hands.png");
  writeFileSync(
    `${picture}.tmp`,
    encodeGridPng(smooth, rows * NUM_CLASSES, {
      columns: NUM_CLASSES,
      padding: 4,
      background: 255,
      tileSize: 56,
    }),
  );
  renameSync(`${picture}.tmp`, picture);
  console.log(`wrote ${json} and ${picture}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
