/**
 * Turns any decoded image into the model's input: 28x28, 8-bit grayscale. The rule, in order:
 *
 * 1. Luminance: gray stays gray; colour becomes Y = 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601,
 *    the weights of PIL's "L" mode and of OpenCV's gray conversion).
 * 2. Alpha: composited over black (Y * alpha / 255), so transparent means background in MNIST's
 *    convention (light strokes on black). No other polarity change: dark-on-light images stay so.
 * 3. Fit: scaled so the longer side is 28 px, keeping the aspect ratio; each output pixel is the
 *    average of the source area it covers (area / box resampling, partial pixels weighted), which
 *    is an exact average when shrinking and leaves a 28x28 image unchanged.
 * 4. Centre: the scaled image sits in the middle of a 28x28 canvas (an odd leftover pixel goes
 *    right / below); the uncovered margin takes the mean of the source image's border pixels, so
 *    a photo on white pads white and a digit on black pads black.
 * 5. Values round to the nearest integer.
 */

import { IMAGE_SIZE, PIXELS_PER_IMAGE } from "@edgegan/shared";
import type { DecodedImage } from "@edgegan/shared/png-decode";

/** BT.601 luminance weights. */
const LUMA = [0.299, 0.587, 0.114] as const;

/** float [height * width] luminance, alpha composited over black. */
export function luminance({ width, height, channels, pixels }: DecodedImage): Float32Array {
  const out = new Float32Array(width * height);
  const hasAlpha = channels === 2 || channels === 4;
  for (let i = 0; i < out.length; i++) {
    const p = i * channels;
    const y =
      channels <= 2
        ? (pixels[p] as number)
        : LUMA[0] * (pixels[p] as number) +
          LUMA[1] * (pixels[p + 1] as number) +
          LUMA[2] * (pixels[p + 2] as number);
    out[i] = hasAlpha ? (y * (pixels[p + channels - 1] as number)) / 255 : y;
  }
  return out;
}

/**
 * Weights of area resampling along one axis: for each of `to` outputs, the source indices it
 * covers and the share of each (summing to 1).
 */
function areaWeights(from: number, to: number): { index: number; weight: number }[][] {
  const span = from / to; // source pixels per output pixel
  return Array.from({ length: to }, (_, o) => {
    const start = o * span;
    const end = start + span;
    const parts: { index: number; weight: number }[] = [];
    for (let i = Math.floor(start); i < Math.min(from, Math.ceil(end)); i++) {
      const overlap = Math.min(end, i + 1) - Math.max(start, i);
      if (overlap > 1e-9) parts.push({ index: i, weight: overlap / span });
    }
    return parts;
  });
}

/** Resample a float [h, w] image to [toH, toW] by area averaging (separable: rows, then columns). */
export function resizeArea(
  src: Float32Array,
  w: number,
  h: number,
  toW: number,
  toH: number,
): Float32Array {
  if (w === toW && h === toH) return src;
  const xs = areaWeights(w, toW);
  const ys = areaWeights(h, toH);
  const rows = new Float32Array(h * toW);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < toW; x++) {
      let sum = 0;
      for (const { index, weight } of xs[x] ?? []) sum += (src[y * w + index] as number) * weight;
      rows[y * toW + x] = sum;
    }
  }
  const out = new Float32Array(toH * toW);
  for (let y = 0; y < toH; y++) {
    for (const { index, weight } of ys[y] ?? []) {
      for (let x = 0; x < toW; x++) {
        out[y * toW + x] =
          (out[y * toW + x] as number) + (rows[index * toW + x] as number) * weight;
      }
    }
  }
  return out;
}

/** Mean of the outermost rows and columns of a float [h, w] image. */
function borderMean(src: Float32Array, w: number, h: number): number {
  let sum = 0;
  let n = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (y === 0 || y === h - 1 || x === 0 || x === w - 1) {
        sum += src[y * w + x] as number;
        n++;
      }
    }
  }
  return sum / n;
}

/** The model's 28x28 grayscale image of `image` (rule in the file header): uint8 [784]. */
export function toModelImage(image: DecodedImage): Uint8Array {
  const { width: w, height: h } = image;
  const size = IMAGE_SIZE; // a local: the imported binding is slow to read in the loops below
  const gray = luminance(image);
  const scale = size / Math.max(w, h);
  const toW = Math.max(1, Math.min(size, Math.round(w * scale)));
  const toH = Math.max(1, Math.min(size, Math.round(h * scale)));
  const scaled = resizeArea(gray, w, h, toW, toH);
  const out = new Uint8Array(PIXELS_PER_IMAGE);
  if (toW < size || toH < size) out.fill(Math.round(borderMean(gray, w, h)));
  const left = Math.floor((size - toW) / 2);
  const top = Math.floor((size - toH) / 2);
  for (let y = 0; y < toH; y++) {
    for (let x = 0; x < toW; x++) {
      out[(top + y) * size + left + x] = Math.round(scaled[y * toW + x] as number);
    }
  }
  return out;
}
