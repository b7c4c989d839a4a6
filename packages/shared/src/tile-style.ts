/**
 * How generated 28x28 tiles are drawn for a marketing tool: nearest-neighbour upscaling (crisp
 * pixels at 224 px) and optional inversion (dark images on a light background). Pure and
 * deterministic, so seeded answers stay byte-identical.
 */
import { IMAGE_SIZE, PIXELS_PER_IMAGE } from "./contract.ts";

/** Drawing options of the tiles. */
export interface TileStyle {
  /** Integer upscaling factor (1 = 28 px). */
  scale: number;
  /** 255 - v for every pixel. */
  invert: boolean;
}

/**
 * Style `count` tiles.
 * @param pixels uint8 [count, 28, 28], row-major, 0 = black
 * @returns uint8 [count, 28 * scale, 28 * scale]; the input itself when scale is 1 and nothing
 *   is inverted
 * @throws RangeError when scale is not a positive integer or pixels.length !== count * 784
 * @example styleTiles(pixels, 16, { scale: 8, invert: true }) // 16 tiles of 224 x 224
 */
export function styleTiles(pixels: Uint8Array, count: number, style: TileStyle): Uint8Array {
  const { scale, invert } = style;
  if (!Number.isInteger(scale) || scale < 1) {
    throw new RangeError(`tile scale must be a positive integer, got ${String(scale)}`);
  }
  if (pixels.length !== count * PIXELS_PER_IMAGE) {
    throw new RangeError(`tiles must hold count * ${PIXELS_PER_IMAGE} bytes, got ${pixels.length}`);
  }
  if (scale === 1 && !invert) return pixels;
  const size = IMAGE_SIZE * scale;
  const out = new Uint8Array(count * size * size);
  const row = new Uint8Array(size);
  for (let t = 0; t < count; t++) {
    for (let y = 0; y < IMAGE_SIZE; y++) {
      const src = t * PIXELS_PER_IMAGE + y * IMAGE_SIZE;
      for (let x = 0; x < IMAGE_SIZE; x++) {
        const v = pixels[src + x] as number;
        row.fill(invert ? 255 - v : v, x * scale, (x + 1) * scale);
      }
      // the scaled row, repeated scale times
      const dst = t * size * size + y * scale * size;
      for (let r = 0; r < scale; r++) out.set(row, dst + r * size);
    }
  }
  return out;
}
