/**
 * The evaluation picture (eval-samples.png): one row per class, the first `columns` samples
 * asked for that class. Each row starts with the asked class index; a sample the classifier
 * reads as another class gets a gray frame and, under it, the index of the class it was read as.
 * Class indices are drawn as small digits (for Fashion-MNIST, see the class names in eval.json).
 * Below a gray rule, when given, the memorisation figure's closest pairs: each column a generated
 * sample (top) over its nearest training image (bottom), the pairs nearest in features first, then
 * those nearest in pixels. A generator that copies shows identical tiles there.
 */
import { IMAGE_SIZE, NUM_CLASSES, PIXELS_PER_IMAGE, toPixel } from "@edgegan/shared";
import { encodeGrayscalePng } from "@edgegan/shared/png";
import { drawDigit, GLYPH_HEIGHT, GLYPH_WIDTH } from "./digit-glyphs.ts";
import type { ClosestPairImages } from "./metrics.ts";

const SCALE = 2;
const PAD = 3;
const CAPTION = GLYPH_HEIGHT * SCALE + 2;
const HEADER = GLYPH_WIDTH * SCALE + 2 * PAD;
const FRAME = 128;

/** Where a picture's tiles lie, and which were read wrong (for tests and captions). */
export interface EvalPicture {
  png: Uint8Array;
  width: number;
  height: number;
  /** Raw uint8 [height, width] canvas behind the PNG. */
  canvas: Uint8Array;
  /** Samples drawn with a wrong reading: [row (asked class), column, read class]. */
  wrong: [number, number, number][];
  /** Closest pairs drawn, and the y of their sample tiles (the training images are 29 px lower). */
  pairs: { drawn: number; y: number };
}

/**
 * Draw the per-class rows.
 * @param images float32 [n, 1, 28, 28] flattened in [-1, 1]
 * @param labels uint8 [n] asked classes; predictions uint8 [n] read classes
 * @param columns samples per row (the first ones of each class); default 12
 * @param pairs closest sample / training-image pairs to draw below (the first `columns`)
 * @throws RangeError when the arrays disagree in length.
 */
export function renderEvalPicture(
  images: Float32Array,
  labels: Uint8Array,
  predictions: Uint8Array,
  columns = 12,
  pairs: readonly ClosestPairImages[] = [],
): EvalPicture {
  const n = labels.length;
  if (predictions.length !== n || images.length !== n * PIXELS_PER_IMAGE) {
    throw new RangeError(
      `need ${n} predictions and ${n * PIXELS_PER_IMAGE} image values for ${n} labels, got ${predictions.length} and ${images.length}`,
    );
  }
  const cellW = IMAGE_SIZE + PAD;
  const cellH = IMAGE_SIZE + CAPTION + PAD;
  const width = HEADER + columns * cellW + PAD;
  const shownPairs = pairs.slice(0, columns);
  const pairsY = NUM_CLASSES * cellH + 2 * PAD;
  const height =
    shownPairs.length > 0 ? pairsY + 2 * IMAGE_SIZE + 1 + PAD : NUM_CLASSES * cellH + PAD;
  const canvas = new Uint8Array(width * height).fill(255);
  const used = new Array<number>(NUM_CLASSES).fill(0);
  const wrong: [number, number, number][] = [];
  for (let row = 0; row < NUM_CLASSES; row++) {
    drawDigit(
      canvas,
      width,
      row,
      PAD,
      PAD + row * cellH + (IMAGE_SIZE - GLYPH_HEIGHT * SCALE) / 2,
      {
        scale: SCALE,
      },
    );
  }
  for (let i = 0; i < n; i++) {
    const row = labels[i] as number;
    const col = used[row] as number;
    if (col >= columns) continue;
    used[row] = col + 1;
    const x0 = HEADER + col * cellW;
    const y0 = PAD + row * cellH;
    drawTile(canvas, width, images, i, x0, y0);
    const read = predictions[i] as number;
    if (read !== row) {
      wrong.push([row, col, read]);
      for (let k = -1; k <= IMAGE_SIZE; k++) {
        for (const [px, py] of [
          [x0 + k, y0 - 1],
          [x0 + k, y0 + IMAGE_SIZE],
          [x0 - 1, y0 + k],
          [x0 + IMAGE_SIZE, y0 + k],
        ] as const) {
          canvas[py * width + px] = FRAME;
        }
      }
      drawDigit(
        canvas,
        width,
        read,
        x0 + (IMAGE_SIZE - GLYPH_WIDTH * SCALE) / 2,
        y0 + IMAGE_SIZE + 2,
        {
          scale: SCALE,
        },
      );
    }
  }
  if (shownPairs.length > 0) {
    for (let x = PAD; x < width - PAD; x++) canvas[(pairsY - PAD) * width + x] = FRAME;
    shownPairs.forEach((pair, col) => {
      const x0 = HEADER + col * cellW;
      drawTile(canvas, width, pair.sampleImage, 0, x0, pairsY);
      drawTile(canvas, width, pair.trainImage, 0, x0, pairsY + IMAGE_SIZE + 1);
    });
  }
  return {
    png: encodeGrayscalePng(canvas, width, height),
    width,
    height,
    canvas,
    wrong,
    pairs: { drawn: shownPairs.length, y: pairsY },
  };
}

/** Draw image `index` of `images` (float32 [n, 784] in [-1, 1]) with its top-left at (x0, y0). */
function drawTile(
  canvas: Uint8Array,
  width: number,
  images: Float32Array,
  index: number,
  x0: number,
  y0: number,
): void {
  for (let r = 0; r < IMAGE_SIZE; r++) {
    for (let c = 0; c < IMAGE_SIZE; c++) {
      canvas[(y0 + r) * width + x0 + c] = toPixel(
        images[index * PIXELS_PER_IMAGE + r * IMAGE_SIZE + c] as number,
      );
    }
  }
}
