/**
 * PNG encoding of 8-bit images (grayscale, RGB, RGBA), sprite-sheet grids and animated PNGs
 * (APNG), with no DOM or Node APIs.
 *
 * The edge worker answers `format=png` with one grid of all requested images and the trainer
 * writes sample grids with the same code, so what a user sees in training is what the API serves.
 *
 * Encoding: signature, IHDR (bit depth 8, color type 0 = grayscale, no interlace), one IDAT
 * (zlib via fflate), IEND; CRC-32 from ./crc32.ts. Each row gets the filter (None, Sub, Up or
 * Paeth) with the smallest sum of |filtered byte as int8|, libpng's usual heuristic, or, when the
 * caller says the image is smoothly upscaled, Up everywhere (see RowFilter).
 * Colour: type 0 (gray, 1 byte per pixel), 2 (RGB, 3) or 6 (RGBA, 4), chosen by `channels`.
 * APNG (every current browser plays it; viewers that do not show the first frame): acTL after
 * IHDR, then per frame an fcTL and the frame's data, IDAT for the first and fdAT after it.
 */
import { zlibSync } from "fflate";
import { concatBytes } from "./bytes.ts";
import { IMAGE_SIZE } from "./contract.ts";
import { crc32 } from "./crc32.ts";

const SIGNATURE = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Largest width/height PNG allows (2^31 - 1). */
const PNG_MAX_DIMENSION = 0x7fffffff;

function checkDimension(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1 || value > PNG_MAX_DIMENSION) {
    throw new RangeError(
      `PNG ${name} must be an integer from 1 to ${PNG_MAX_DIMENSION}, got ${String(value)}`,
    );
  }
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** The PNG Paeth predictor of a pixel from its left (a), upper (b) and upper-left (c) neighbours. */
function paeth(a: number, b: number, c: number): number {
  // |p - a|, |p - b|, |p - c| with p = a + b - c, without Math.abs (it runs per byte)
  let pa = b - c;
  let pb = a - c;
  let pc = pa + pb;
  if (pa < 0) pa = -pa;
  if (pb < 0) pb = -pb;
  if (pc < 0) pc = -pc;
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/**
 * Images larger than this (512 x 512) are deflated at level 1: every sheet of 28 px tiles stays
 * below it (256 tiles: 478 x 478), so only upscaled sheets trade size for encode time.
 */
const LARGE_IMAGE_PIXELS = 512 * 512;

/** A residual byte's cost in the filter heuristic, |residual| read as int8, by byte value. */
const COST = Uint8Array.from({ length: 256 }, (_, r) => (r < 128 ? r : 256 - r));

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The four filters' scores of a row with a row above: sums of COST of the None, Sub, Up and
 * Paeth residuals, in one pass.
 */
function scoreRow(
  pixels: Uint8Array,
  at: number,
  rowBytes: number,
  bpp: number,
): [number, number, number, number] {
  const above = at - rowBytes;
  let none = 0;
  let sub = 0;
  let up = 0;
  let paethScore = 0;
  // the first pixel has no left neighbour: Sub is None and Paeth is Up there
  for (let x = 0; x < bpp; x++) {
    const cur = pixels[at + x] as number;
    const b = pixels[above + x] as number;
    none += COST[cur] as number;
    sub += COST[cur] as number;
    up += COST[(cur - b) & 0xff] as number;
    paethScore += COST[(cur - b) & 0xff] as number;
  }
  for (let x = bpp; x < rowBytes; x++) {
    const cur = pixels[at + x] as number;
    const a = pixels[at + x - bpp] as number;
    const b = pixels[above + x] as number;
    const c = pixels[above + x - bpp] as number;
    none += COST[cur] as number;
    sub += COST[(cur - a) & 0xff] as number;
    up += COST[(cur - b) & 0xff] as number;
    paethScore += COST[(cur - paeth(a, b, c)) & 0xff] as number;
  }
  return [none, sub, up, paethScore];
}

/**
 * Write one row's residuals under filter `type` (0 None, 1 Sub, 2 Up, 4 Paeth) into `out` at
 * `base`. Row `at` must have a row above for Up and Paeth.
 */
function writeResiduals(
  type: number,
  pixels: Uint8Array,
  at: number,
  rowBytes: number,
  bpp: number,
  out: Uint8Array,
  base: number,
): void {
  const above = at - rowBytes;
  if (type === 0) {
    out.set(pixels.subarray(at, at + rowBytes), base);
  } else if (type === 1) {
    for (let x = 0; x < rowBytes; x++) {
      const left = x >= bpp ? (pixels[at + x - bpp] as number) : 0;
      out[base + x] = ((pixels[at + x] as number) - left) & 0xff;
    }
  } else if (type === 2) {
    for (let x = 0; x < rowBytes; x++) {
      out[base + x] = ((pixels[at + x] as number) - (pixels[above + x] as number)) & 0xff;
    }
  } else {
    for (let x = 0; x < bpp; x++) {
      out[base + x] = ((pixels[at + x] as number) - (pixels[above + x] as number)) & 0xff;
    }
    for (let x = bpp; x < rowBytes; x++) {
      const predicted = paeth(
        pixels[at + x - bpp] as number,
        pixels[above + x] as number,
        pixels[above + x - bpp] as number,
      );
      out[base + x] = ((pixels[at + x] as number) - predicted) & 0xff;
    }
  }
}

/**
 * Filter the rows: output is height * (1 + width * bytesPerPixel) bytes, each row starting
 * with its filter type byte (0 None, 1 Sub, 2 Up, 4 Paeth). Each row gets the filter with the
 * smallest sum of |residual|, the first one on ties.
 *
 * A row equal to the one above (most rows of an upscaled sheet) is decided without the search:
 * Up leaves all zeros (score 0), and only an all-zero row scores 0 earlier (with None); the
 * search would pick the same, so the bytes do not depend on the shortcut. The four scores are
 * summed in one pass over the row (costs from a table), and only the winner's
 * residuals are written.
 */
function filterRows(
  pixels: Uint8Array,
  width: number,
  height: number,
  bytesPerPixel: number,
): Uint8Array {
  const bpp = bytesPerPixel;
  const rowBytes = width * bpp;
  const stride = rowBytes + 1;
  const out = new Uint8Array(height * stride); // zero-filled: the residuals of a repeated row
  for (let y = 0; y < height; y++) {
    const at = y * rowBytes;
    const base = y * stride + 1;
    if (y === 0) {
      // no row above: Up equals None and Paeth equals Sub, so the choice is None or Sub
      let none = 0;
      let sub = 0;
      for (let x = 0; x < rowBytes; x++) {
        const cur = pixels[x] as number;
        none += COST[cur] as number;
        sub += COST[(cur - (x >= bpp ? (pixels[x - bpp] as number) : 0)) & 0xff] as number;
      }
      const type = sub < none ? 1 : 0;
      out[0] = type;
      writeResiduals(type, pixels, 0, rowBytes, bpp, out, base);
      continue;
    }
    const row = pixels.subarray(at, at + rowBytes);
    const prev = pixels.subarray(at - rowBytes, at);
    if (sameBytes(row, prev)) {
      out[y * stride] = row.every((v) => v === 0) ? 0 : 2;
      continue;
    }
    const [none, sub, up, paethScore] = scoreRow(pixels, at, rowBytes, bpp);
    // the smallest score wins, the first in None, Sub, Up, Paeth order on ties
    let type = 0;
    let best = none;
    if (sub < best) {
      type = 1;
      best = sub;
    }
    if (up < best) {
      type = 2;
      best = up;
    }
    if (paethScore < best) type = 4;
    out[y * stride] = type;
    writeResiduals(type, pixels, at, rowBytes, bpp, out, base);
  }
  return out;
}

/**
 * How rows are filtered: `adaptive` (the search above, the default) or `up` (every row predicted
 * from the row above). Smoothly upscaled images change slowly from row to row: Up alone
 * compresses them about as well as the search (~2% smaller on a bicubic 8x sheet of digits) and
 * costs one subtraction per byte instead of four scores.
 */
export type RowFilter = "adaptive" | "up";

/** Every row filtered with Up (type 2; the first row's "above" is zeros, as PNG defines). */
function upRows(pixels: Uint8Array, width: number, height: number, bytesPerPixel: number) {
  const rowBytes = width * bytesPerPixel;
  const stride = rowBytes + 1;
  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const at = y * rowBytes;
    const base = y * stride + 1;
    out[base - 1] = 2;
    // the first row's "above" is zeros: its Up residuals are its bytes, as None writes them
    writeResiduals(y === 0 ? 0 : 2, pixels, at, rowBytes, bytesPerPixel, out, base);
  }
  return out;
}

/** Bytes per pixel of an image: gray, RGB or RGBA. */
export type Channels = 1 | 3 | 4;
const COLOUR_TYPE: Record<Channels, number> = { 1: 0, 3: 2, 4: 6 };

function checkImage(pixels: Uint8Array, width: number, height: number, channels: Channels): void {
  checkDimension("width", width);
  checkDimension("height", height);
  if (!(channels in COLOUR_TYPE)) {
    throw new RangeError(`PNG channels must be 1, 3 or 4, got ${String(channels)}`);
  }
  const expected = width * height * channels;
  if (pixels.length !== expected) {
    throw new RangeError(
      `PNG pixels must hold width * height${channels > 1 ? " * channels" : ""} = ${width} * ${height}${channels > 1 ? ` * ${channels}` : ""} = ${expected} bytes, got ${pixels.length}`,
    );
  }
}

function header(width: number, height: number, channels: Channels): Uint8Array {
  const data = new Uint8Array(13);
  const view = new DataView(data.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  data[8] = 8; // bit depth
  data[9] = COLOUR_TYPE[channels];
  // compression 0 (deflate), filter method 0, interlace 0: already zero
  return data;
}

/** The zlib stream of an image's filtered rows. */
function compressed(
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: Channels,
  filter: RowFilter,
) {
  // Level 6: on 256 MNIST digits within 0.1% of level 9 in size and ~7x faster (5 vs 38 ms).
  // Above LARGE_IMAGE_PIXELS (only upscaled sheets get there) level 1: ~2.4x faster to deflate.
  const level = width * height > LARGE_IMAGE_PIXELS ? 1 : 6;
  const rows = (filter === "up" ? upRows : filterRows)(pixels, width, height, channels);
  return zlibSync(rows, { level });
}

/**
 * Encode an 8-bit image as PNG.
 *
 * @param pixels uint8 [height, width, channels], row-major (RGB(A) interleaved)
 * @param channels 1 gray (0 = black), 3 RGB, 4 RGBA (alpha not premultiplied)
 * @param filter row filters: the adaptive search, or Up for smoothly upscaled images
 * @example encodePng(rgba, 224, 224, 4)
 * @throws RangeError when width/height are not positive integers or pixels.length is not
 *   width * height * channels.
 */
export function encodePng(
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: Channels = 1,
  filter: RowFilter = "adaptive",
): Uint8Array {
  checkImage(pixels, width, height, channels);
  return concatBytes([
    SIGNATURE,
    chunk("IHDR", header(width, height, channels)),
    chunk("IDAT", compressed(pixels, width, height, channels, filter)),
    chunk("IEND", new Uint8Array(0)),
  ]);
}

/**
 * Encode an 8-bit grayscale image as PNG.
 *
 * @param pixels uint8 [height, width], row-major, 0 = black, 255 = white
 * @example encodeGrayscalePng(toPixels(output.subarray(0, 784)), 28, 28)
 * @throws RangeError when width/height are not positive integers or pixels.length !== width * height.
 */
export function encodeGrayscalePng(pixels: Uint8Array, width: number, height: number): Uint8Array {
  return encodePng(pixels, width, height, 1);
}

/** Frames per second of an animation: 1..255 (the fcTL delay is 1/fps seconds). */
function checkFps(fps: number): void {
  if (!Number.isInteger(fps) || fps < 1 || fps > 255) {
    throw new RangeError(`APNG fps must be an integer from 1 to 255, got ${String(fps)}`);
  }
}

/**
 * Encode frames of one size as an animated PNG that loops forever, each shown 1/fps seconds.
 * Every frame covers the whole canvas (offset 0, 0), dispose none, blend source.
 *
 * @param frames each uint8 [height, width, channels]
 * @param filter row filters, as in encodePng
 * @example encodeAnimatedPng(frames, 112, 112, 1, 12)
 * @throws RangeError on no frames, a frame of another size, or fps outside 1..255.
 */
export function encodeAnimatedPng(
  frames: readonly Uint8Array[],
  width: number,
  height: number,
  channels: Channels,
  fps: number,
  filter: RowFilter = "adaptive",
): Uint8Array {
  if (frames.length < 1) throw new RangeError("an APNG needs at least one frame");
  checkFps(fps);
  for (const frame of frames) checkImage(frame, width, height, channels);
  const actl = new Uint8Array(8);
  new DataView(actl.buffer).setUint32(0, frames.length); // num_plays 0: loop forever
  const parts = [SIGNATURE, chunk("IHDR", header(width, height, channels)), chunk("acTL", actl)];
  let sequence = 0;
  for (const [i, frame] of frames.entries()) {
    const fctl = new Uint8Array(26);
    const view = new DataView(fctl.buffer);
    view.setUint32(0, sequence++);
    view.setUint32(4, width);
    view.setUint32(8, height);
    // x/y offset 0, delay 1/fps s, dispose_op 0 (none), blend_op 0 (source)
    view.setUint16(20, 1);
    view.setUint16(22, fps);
    parts.push(chunk("fcTL", fctl));
    const data = compressed(frame, width, height, channels, filter);
    if (i === 0) {
      parts.push(chunk("IDAT", data));
    } else {
      const fdat = new Uint8Array(4 + data.length);
      new DataView(fdat.buffer).setUint32(0, sequence++);
      fdat.set(data, 4);
      parts.push(chunk("fdAT", fdat));
    }
  }
  parts.push(chunk("IEND", new Uint8Array(0)));
  return concatBytes(parts);
}

/** Layout options of a grid. */
export interface GridOptions {
  /** Tiles per row; default ceil(sqrt(count)). */
  columns?: number;
  /** Pixels between neighbouring tiles (not around the border); default 2. */
  padding?: number;
  /** Gray level 0..255 of the padding and of empty cells; default 255 (white lines between dark tiles). */
  background?: number;
  /** Side of each (square) tile in pixels; default 28. */
  tileSize?: number;
}

/** Where the tiles of a grid lie: tile i is at x = (i % columns) * step, y = floor(i / columns) * step. */
export interface GridLayout {
  columns: number;
  rows: number;
  padding: number;
  background: number;
  /** Side of each tile in pixels. */
  tileSize: number;
  /** Tile size plus padding: distance between the top-left corners of neighbouring tiles. */
  step: number;
  width: number;
  height: number;
}

/**
 * Compute a grid's layout (shared by the encoder and clients that cut the sprite sheet).
 * Width = columns * tileSize + (columns - 1) * padding; height likewise with rows = ceil(count / columns).
 * @throws RangeError on a count below 1 or a non-integer / out-of-range option.
 */
export function gridLayout(count: number, options: GridOptions = {}): GridLayout {
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`grid count must be a positive integer, got ${String(count)}`);
  }
  const columns = options.columns ?? Math.ceil(Math.sqrt(count));
  const padding = options.padding ?? 2;
  const background = options.background ?? 255;
  const tileSize = options.tileSize ?? IMAGE_SIZE;
  if (!Number.isInteger(tileSize) || tileSize < 1) {
    throw new RangeError(`grid tileSize must be a positive integer, got ${String(tileSize)}`);
  }
  if (!Number.isInteger(columns) || columns < 1) {
    throw new RangeError(`grid columns must be a positive integer, got ${String(columns)}`);
  }
  if (!Number.isInteger(padding) || padding < 0) {
    throw new RangeError(`grid padding must be a non-negative integer, got ${String(padding)}`);
  }
  if (!Number.isInteger(background) || background < 0 || background > 255) {
    throw new RangeError(
      `grid background must be an integer gray level 0..255, got ${String(background)}`,
    );
  }
  const rows = Math.ceil(count / columns);
  const step = tileSize + padding;
  return {
    columns,
    rows,
    padding,
    background,
    tileSize,
    step,
    width: columns * step - padding,
    height: rows * step - padding,
  };
}

/** How the pixels of a grid's tiles are stored, for colour sheets. */
export interface GridPixels {
  /** Bytes per pixel (default 1, gray). */
  channels?: Channels;
  /** One pixel (`channels` bytes) for the padding and empty cells; default the layout's gray background. */
  fill?: Uint8Array;
  /** How rows are filtered (encodeGridPng only); default adaptive. */
  filter?: RowFilter;
}

/**
 * Lay `count` square images out on a grid (row-major: image i in row floor(i / columns),
 * column i % columns): the canvas, not yet encoded.
 * @param images uint8 [count, tileSize, tileSize, channels], row-major
 * @returns uint8 [height, width, channels]
 * @throws RangeError when images.length does not match the layout
 */
function composeGrid(
  images: Uint8Array,
  count: number,
  layout: GridLayout,
  pixels: GridPixels = {},
): Uint8Array {
  const { width, height, columns, step, tileSize } = layout;
  const channels = pixels.channels ?? 1;
  const fill = pixels.fill ?? Uint8Array.of(layout.background);
  const tileBytes = tileSize * tileSize * channels;
  if (images.length !== count * tileBytes) {
    throw new RangeError(
      `grid images must hold count * ${tileBytes} = ${count * tileBytes} bytes (${count} images of ${tileSize}x${tileSize}${channels > 1 ? `x${channels}` : ""}), got ${images.length}`,
    );
  }
  if (fill.length !== channels) {
    throw new RangeError(`grid fill must be one pixel of ${channels} bytes, got ${fill.length}`);
  }
  const canvas = new Uint8Array(width * height * channels);
  if (channels === 1) canvas.fill(fill[0] as number);
  else if (fill.some((v) => v !== 0)) {
    // one row of the fill pixel, then copied down (a set() per pixel is ~10x slower at 3 M pixels)
    const row = new Uint8Array(width * channels);
    for (let x = 0; x < row.length; x += channels) row.set(fill, x);
    for (let y = 0; y < height; y++) canvas.set(row, y * row.length);
  }
  const rowBytes = tileSize * channels;
  for (let i = 0; i < count; i++) {
    const x0 = (i % columns) * step;
    const y0 = Math.floor(i / columns) * step;
    for (let r = 0; r < tileSize; r++) {
      const src = i * tileBytes + r * rowBytes;
      canvas.set(images.subarray(src, src + rowBytes), ((y0 + r) * width + x0) * channels);
    }
  }
  return canvas;
}

/**
 * Lay `count` square images (28x28, or options.tileSize) out on a grid (see composeGrid) and
 * encode it as one PNG.
 *
 * @param images uint8 [count, tileSize, tileSize, channels], row-major
 * @example encodeGridPng(toPixels(output), 16) // 4x4 grid, 118x118 pixels
 * @throws RangeError when images.length does not match or an option is invalid.
 */
export function encodeGridPng(
  images: Uint8Array,
  count: number,
  options: GridOptions = {},
  pixels: GridPixels = {},
): Uint8Array {
  const layout = gridLayout(count, options);
  const canvas = composeGrid(images, count, layout, pixels);
  return encodePng(canvas, layout.width, layout.height, pixels.channels ?? 1, pixels.filter);
}
