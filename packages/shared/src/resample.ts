/**
 * Upscaling of 28x28 tiles by an integer factor: `nearest` (crisp blocks, the default), or
 * smooth `bilinear` and `bicubic` (Catmull-Rom, a = -0.5) for banners and slides.
 *
 * Separable: a horizontal pass, then a vertical pass, rounded and clamped to 0..255. Sample
 * positions are pixel centres ((o + 0.5) / scale - 0.5 in the source) with the edge pixel
 * repeated outside the tile. The scale is an integer, so there are only `scale` distinct
 * fractions (phases): their weights are computed once, as 11-bit fixed-point integers, and both
 * passes run in integer arithmetic (about 3x faster than float passes; within one level of the
 * exact float result, which the tests check). The weights are polynomials (+, -, * only), so the
 * bytes are the same in every JavaScript engine; Lanczos would need sin, which engines may round
 * differently, so it is not offered.
 */
import { IMAGE_SIZE, PIXELS_PER_IMAGE } from "./contract.ts";

/** Resampling methods of `scale`. */
export const RESAMPLE_METHODS = ["nearest", "bilinear", "bicubic"] as const;
export type ResampleMethod = (typeof RESAMPLE_METHODS)[number];

/** Catmull-Rom weights of the four taps at i0 - 1 .. i0 + 2 for a fraction f in [0, 1). */
function cubicWeights(f: number): [number, number, number, number] {
  const f2 = f * f;
  const f3 = f2 * f;
  return [
    -0.5 * f3 + f2 - 0.5 * f,
    1.5 * f3 - 2.5 * f2 + 1,
    -1.5 * f3 + 2 * f2 + 0.5 * f,
    0.5 * f3 - 0.5 * f2,
  ];
}

/** Fixed-point weights: each weight is an integer in units of 1 / WEIGHT_ONE. */
const WEIGHT_BITS = 11;
const WEIGHT_ONE = 1 << WEIGHT_BITS;
/** Two passes multiply two weights: the result is in units of 1 / 2^(2 * WEIGHT_BITS). */
const RESULT_SHIFT = 2 * WEIGHT_BITS;
const RESULT_HALF = 1 << (RESULT_SHIFT - 1);

/**
 * The kernel of an integer scale s: output coordinate o = s * i + p (phase p in 0..s-1) samples
 * the source at i + (p + 0.5) / s - 0.5, so its fraction, and with it the tap weights, depend on
 * the phase only. Per phase: the offset of the first tap from i (-1 or -2 for bicubic, 0 or -1 for
 * bilinear) and `taps` integer weights that sum to exactly WEIGHT_ONE (the rounding remainder
 * goes to the largest weight, so a flat tile stays flat).
 */
function phaseKernel(method: "bilinear" | "bicubic", scale: number) {
  const taps = method === "bilinear" ? 2 : 4;
  const offset = new Int32Array(scale);
  const weight = new Int32Array(scale * taps);
  for (let p = 0; p < scale; p++) {
    const source = (p + 0.5) / scale - 0.5; // in (-0.5, 0.5)
    const i0 = source < 0 ? -1 : 0;
    const f = source - i0;
    const w = method === "bilinear" ? [1 - f, f] : cubicWeights(f);
    offset[p] = method === "bilinear" ? i0 : i0 - 1;
    let sum = 0;
    let largest = 0;
    for (let k = 0; k < taps; k++) {
      const q = Math.floor((w[k] as number) * WEIGHT_ONE + 0.5);
      weight[p * taps + k] = q;
      sum += q;
      if (q > (weight[p * taps + largest] as number)) largest = k;
    }
    weight[p * taps + largest] = (weight[p * taps + largest] as number) + WEIGHT_ONE - sum;
  }
  return { taps, offset, weight };
}

/** For each output coordinate, the source index of each tap, the edge repeated outside the tile. */
function tapIndices(taps: number, offset: Int32Array, scale: number): Int32Array {
  const size = IMAGE_SIZE * scale;
  const index = new Int32Array(size * taps);
  for (let o = 0; o < size; o++) {
    const first = Math.floor(o / scale) + (offset[o % scale] as number);
    for (let k = 0; k < taps; k++) {
      index[o * taps + k] = Math.min(IMAGE_SIZE - 1, Math.max(0, first + k));
    }
  }
  return index;
}

/**
 * Smooth upscaling in integers: a horizontal pass into int32 rows (units of 1 / WEIGHT_ONE, no
 * rounding), then a vertical pass that rounds once, half up, and clamps to 0..255 (an integer
 * written to a Uint8ClampedArray is clamped, never rounded). Within one output row the vertical
 * taps and weights are fixed, so the inner loop is four multiply-adds per pixel.
 */
function smooth(
  pixels: Uint8Array,
  count: number,
  scale: number,
  method: "bilinear" | "bicubic",
): Uint8Array {
  const size = IMAGE_SIZE * scale;
  const { taps, offset, weight } = phaseKernel(method, scale);
  const index = tapIndices(taps, offset, scale);
  // per output coordinate, its phase's weights (x and y use the same kernel)
  const w = new Int32Array(size * taps);
  for (let o = 0; o < size; o++) {
    for (let k = 0; k < taps; k++) w[o * taps + k] = weight[(o % scale) * taps + k] as number;
  }
  const out = new Uint8Array(count * size * size);
  const clamped = new Uint8ClampedArray(out.buffer);
  const across = new Int32Array(IMAGE_SIZE * size); // [28, size]: rows resampled in x
  for (let t = 0; t < count; t++) {
    const src = t * PIXELS_PER_IMAGE;
    for (let y = 0; y < IMAGE_SIZE; y++) {
      const row = src + y * IMAGE_SIZE;
      const at = y * size;
      if (taps === 2) {
        for (let x = 0; x < size; x++) {
          const j = x * 2;
          across[at + x] =
            (w[j] as number) * (pixels[row + (index[j] as number)] as number) +
            (w[j + 1] as number) * (pixels[row + (index[j + 1] as number)] as number);
        }
      } else {
        for (let x = 0; x < size; x++) {
          const j = x * 4;
          across[at + x] =
            (w[j] as number) * (pixels[row + (index[j] as number)] as number) +
            (w[j + 1] as number) * (pixels[row + (index[j + 1] as number)] as number) +
            (w[j + 2] as number) * (pixels[row + (index[j + 2] as number)] as number) +
            (w[j + 3] as number) * (pixels[row + (index[j + 3] as number)] as number);
        }
      }
    }
    const dst = t * size * size;
    for (let y = 0; y < size; y++) {
      const j = y * taps;
      const at = dst + y * size;
      const r0 = (index[j] as number) * size;
      const r1 = (index[j + 1] as number) * size;
      const w0 = w[j] as number;
      const w1 = w[j + 1] as number;
      if (taps === 2) {
        for (let x = 0; x < size; x++) {
          clamped[at + x] =
            (w0 * (across[r0 + x] as number) + w1 * (across[r1 + x] as number) + RESULT_HALF) >>
            RESULT_SHIFT;
        }
        continue;
      }
      const r2 = (index[j + 2] as number) * size;
      const r3 = (index[j + 3] as number) * size;
      const w2 = w[j + 2] as number;
      const w3 = w[j + 3] as number;
      for (let x = 0; x < size; x++) {
        clamped[at + x] =
          (w0 * (across[r0 + x] as number) +
            w1 * (across[r1 + x] as number) +
            w2 * (across[r2 + x] as number) +
            w3 * (across[r3 + x] as number) +
            RESULT_HALF) >>
          RESULT_SHIFT;
      }
    }
  }
  return out;
}

/** Nearest neighbour: each pixel becomes a scale x scale block. */
function nearest(pixels: Uint8Array, count: number, scale: number): Uint8Array {
  const size = IMAGE_SIZE * scale;
  const out = new Uint8Array(count * size * size);
  const row = new Uint8Array(size);
  for (let t = 0; t < count; t++) {
    for (let y = 0; y < IMAGE_SIZE; y++) {
      const src = t * PIXELS_PER_IMAGE + y * IMAGE_SIZE;
      for (let x = 0; x < IMAGE_SIZE; x++) {
        row.fill(pixels[src + x] as number, x * scale, (x + 1) * scale);
      }
      // the scaled row, repeated scale times
      const dst = t * size * size + y * scale * size;
      for (let r = 0; r < scale; r++) out.set(row, dst + r * size);
    }
  }
  return out;
}

/**
 * Upscale `count` tiles.
 * @param pixels uint8 [count, 28, 28], row-major
 * @returns uint8 [count, 28 * scale, 28 * scale]; the input itself at scale 1
 * @throws RangeError when scale is not a positive integer or pixels.length !== count * 784
 * @example upscaleTiles(pixels, 8, 8, "bicubic") // 8 smooth tiles of 224 x 224
 */
export function upscaleTiles(
  pixels: Uint8Array,
  count: number,
  scale: number,
  method: ResampleMethod = "nearest",
): Uint8Array {
  if (!Number.isInteger(scale) || scale < 1) {
    throw new RangeError(`tile scale must be a positive integer, got ${String(scale)}`);
  }
  if (pixels.length !== count * PIXELS_PER_IMAGE) {
    throw new RangeError(`tiles must hold count * ${PIXELS_PER_IMAGE} bytes, got ${pixels.length}`);
  }
  if (scale === 1) return pixels;
  if (method === "nearest") return nearest(pixels, count, scale);
  return smooth(pixels, count, scale, method);
}
