/**
 * Upscaling of 28x28 tiles by an integer factor: `nearest` (crisp blocks, the default), or
 * smooth `bilinear` and `bicubic` (Catmull-Rom, a = -0.5) for banners and slides.
 *
 * Separable: a horizontal pass into float32, then a vertical pass, rounded and clamped to
 * 0..255. Sample positions are pixel centres ((o + 0.5) / scale - 0.5 in the source) with the
 * edge pixel repeated outside the tile. The weights are polynomials (+, -, * only), so the bytes
 * are the same in every JavaScript engine; Lanczos would need sin, which engines may round
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

/** For every output coordinate: `taps` source indices (clamped) and their weights. */
function kernel(method: "bilinear" | "bicubic", scale: number) {
  const size = IMAGE_SIZE * scale;
  const taps = method === "bilinear" ? 2 : 4;
  const index = new Int32Array(size * taps);
  const weight = new Float32Array(size * taps);
  for (let o = 0; o < size; o++) {
    const source = (o + 0.5) / scale - 0.5;
    const i0 = Math.floor(source);
    const f = source - i0;
    const w = method === "bilinear" ? [1 - f, f] : cubicWeights(f);
    const first = method === "bilinear" ? i0 : i0 - 1;
    for (let k = 0; k < taps; k++) {
      index[o * taps + k] = Math.min(IMAGE_SIZE - 1, Math.max(0, first + k));
      weight[o * taps + k] = w[k] as number;
    }
  }
  return { size, taps, index, weight };
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
  const { size, taps, index, weight } = kernel(method, scale);
  const out = new Uint8Array(count * size * size);
  const across = new Float32Array(IMAGE_SIZE * size); // [28, size]: rows resampled in x
  for (let t = 0; t < count; t++) {
    const src = t * PIXELS_PER_IMAGE;
    for (let y = 0; y < IMAGE_SIZE; y++) {
      for (let x = 0; x < size; x++) {
        let sum = 0;
        for (let k = 0; k < taps; k++) {
          sum +=
            (weight[x * taps + k] as number) *
            (pixels[src + y * IMAGE_SIZE + (index[x * taps + k] as number)] as number);
        }
        across[y * size + x] = sum;
      }
    }
    const dst = t * size * size;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        let sum = 0;
        for (let k = 0; k < taps; k++) {
          sum +=
            (weight[y * taps + k] as number) *
            (across[(index[y * taps + k] as number) * size + x] as number);
        }
        // Uint8Array clamps to 0..255 but rounds half to even; round half up explicitly
        out[dst + y * size + x] = Math.min(255, Math.max(0, Math.floor(sum + 0.5)));
      }
    }
  }
  return out;
}
