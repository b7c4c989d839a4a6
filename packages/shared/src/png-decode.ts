/**
 * A PNG decoder for every image PNG allows: colour types 0 (gray), 2 (RGB), 3 (palette),
 * 4 (gray + alpha) and 6 (RGBA), bit depths 1, 2, 4, 8 and 16, Adam7 interlacing, and tRNS
 * transparency, and APNG frames (full-canvas frames read from IDAT and fdAT in sequence order, as
 * png.ts writes them, with each fcTL's delay). The trainer reads users' images with it
 * (`--dataset folder:DIR`) and tests read back what the API drew. No Node or DOM APIs: runs in
 * workerd too.
 *
 * Output is always 8 bits per sample, interleaved: 1 channel (gray), 2 (gray, alpha), 3 (RGB) or
 * 4 (RGBA). A palette expands to RGB (RGBA when tRNS gives it alpha); a tRNS colour key on a gray
 * or RGB image adds an alpha channel. 16-bit samples round to 8 (v * 255 / 65535); 1, 2 and 4-bit
 * gray scales to 0..255. Every chunk's CRC is checked, and a file that ends early, lacks IEND or
 * inflates to fewer bytes than its size needs is called truncated.
 *
 * It shares no PNG code with the encoder (png.ts): tests check the encoder by decoding with it,
 * and the decoder itself against files Python's zlib and ImageMagick wrote (fixtures/).
 */
import { unzlibSync } from "fflate";
import { concatBytes } from "./bytes.ts";
import { crc32 } from "./crc32.ts";

/** A decoded image: uint8 [height, width, channels] samples. */
export interface DecodedImage {
  width: number;
  height: number;
  /** 1 gray, 2 gray + alpha, 3 RGB, 4 RGBA. */
  channels: 1 | 2 | 3 | 4;
  pixels: Uint8Array;
}

/** A decoded PNG: the first (or only) frame in `pixels`, every frame of an APNG in `frames`. */
export interface DecodedPng extends DecodedImage {
  /** Every frame (one for a still PNG), each uint8 [height, width, channels]. */
  frames: Uint8Array[];
  /** Each frame's delay in seconds (APNG), empty for a still PNG. */
  delays: number[];
  /** acTL's num_plays (0: forever); null for a still PNG. */
  plays: number | null;
}

/** What the IHDR chunk says. */
interface Header {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlaced: boolean;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Samples per pixel of each colour type, and the bit depths it allows. */
const COLOR_TYPES: Record<number, { samples: number; depths: number[] }> = {
  0: { samples: 1, depths: [1, 2, 4, 8, 16] },
  2: { samples: 3, depths: [8, 16] },
  3: { samples: 1, depths: [1, 2, 4, 8] },
  4: { samples: 2, depths: [8, 16] },
  6: { samples: 4, depths: [8, 16] },
};

/** Adam7 passes: x start, y start, x step, y step. */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

/** Largest image decoded (pixels): a guard against a header that asks for gigabytes. */
const PNG_MAX_PIXELS = 64 * 1024 * 1024;

class PngError extends Error {}

function fail(message: string): never {
  throw new PngError(message);
}

function readHeader(data: Uint8Array): Header {
  if (data.length !== 13) fail(`IHDR has ${data.length} bytes, not 13`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const header = {
    width: view.getUint32(0),
    height: view.getUint32(4),
    bitDepth: data[8] as number,
    colorType: data[9] as number,
    interlaced: data[12] === 1,
  };
  const type = COLOR_TYPES[header.colorType];
  if (!type) fail(`colour type ${header.colorType} does not exist (0, 2, 3, 4 or 6)`);
  if (!type.depths.includes(header.bitDepth)) {
    fail(`bit depth ${header.bitDepth} is not allowed for colour type ${header.colorType}`);
  }
  if (data[10] !== 0 || data[11] !== 0 || (data[12] as number) > 1) {
    fail("unknown compression, filter or interlace method in IHDR");
  }
  if (header.width < 1 || header.height < 1 || header.width * header.height > PNG_MAX_PIXELS) {
    fail(`size ${header.width}x${header.height} is empty or over ${PNG_MAX_PIXELS} pixels`);
  }
  return header;
}

/** Split the file into its chunks, checking signature, lengths, CRCs and the IEND at the end. */
function readChunks(png: Uint8Array): { type: string; data: Uint8Array }[] {
  if (png.length < 8 || SIGNATURE.some((b, i) => png[i] !== b)) fail("not a PNG (bad signature)");
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const chunks: { type: string; data: Uint8Array }[] = [];
  let offset = 8;
  for (;;) {
    if (offset + 12 > png.length)
      fail(`truncated: the file ends at byte ${png.length} before IEND`);
    const length = view.getUint32(offset);
    const type = String.fromCharCode(
      png[offset + 4] as number,
      png[offset + 5] as number,
      png[offset + 6] as number,
      png[offset + 7] as number,
    );
    const end = offset + 12 + length;
    if (end > png.length) {
      fail(`truncated: chunk ${type} at byte ${offset} needs ${length} bytes past the file's end`);
    }
    const stored = view.getUint32(end - 4);
    if (crc32(png.subarray(offset + 4, end - 4)) !== stored) {
      fail(`chunk ${type} at byte ${offset} fails its CRC (corrupt file)`);
    }
    chunks.push({ type, data: png.subarray(offset + 8, end - 4) });
    offset = end;
    if (type === "IEND") return chunks;
  }
}

/**
 * The Paeth predictor from left (a), above (b) and upper-left (c), in the expanded form
 * |p - a| = |b - c|, |p - b| = |a - c|, |p - c| = |a + b - 2c| with p = a + b - c. The decoder
 * keeps its own copy, written differently from the encoder's: the round-trip tests check the
 * encoder against this decoder, so sharing the predictor would let one bug cancel out.
 */
function paethPredictor(a: number, b: number, c: number): number {
  const distanceToA = Math.abs(b - c);
  const distanceToB = Math.abs(a - c);
  const distanceToC = Math.abs(a + b - 2 * c);
  if (distanceToA <= distanceToB && distanceToA <= distanceToC) return a;
  return distanceToB <= distanceToC ? b : c;
}

/** Undo the row filters of one (sub)image; `raw` holds rows of 1 + rowBytes bytes. */
function unfilter(raw: Uint8Array, rows: number, rowBytes: number, bpp: number): Uint8Array {
  const out = new Uint8Array(rows * rowBytes);
  for (let y = 0; y < rows; y++) {
    const filter = raw[y * (rowBytes + 1)] as number;
    const src = y * (rowBytes + 1) + 1;
    const row = y * rowBytes;
    const up = row - rowBytes;
    // the first row has no row above: Up adds 0, Average halves the left only, Paeth picks left
    const first = y === 0;
    switch (filter) {
      case 0:
        out.set(raw.subarray(src, src + rowBytes), row);
        break;
      case 1:
        for (let x = 0; x < rowBytes; x++) {
          const a = x >= bpp ? (out[row + x - bpp] as number) : 0;
          out[row + x] = ((raw[src + x] as number) + a) & 0xff;
        }
        break;
      case 2:
        for (let x = 0; x < rowBytes; x++) {
          const b = first ? 0 : (out[up + x] as number);
          out[row + x] = ((raw[src + x] as number) + b) & 0xff;
        }
        break;
      case 3:
        for (let x = 0; x < rowBytes; x++) {
          const a = x >= bpp ? (out[row + x - bpp] as number) : 0;
          const b = first ? 0 : (out[up + x] as number);
          out[row + x] = ((raw[src + x] as number) + ((a + b) >> 1)) & 0xff;
        }
        break;
      case 4:
        for (let x = 0; x < rowBytes; x++) {
          const a = x >= bpp ? (out[row + x - bpp] as number) : 0;
          const b = first ? 0 : (out[up + x] as number);
          const c = x >= bpp && !first ? (out[up + x - bpp] as number) : 0;
          out[row + x] = ((raw[src + x] as number) + paethPredictor(a, b, c)) & 0xff;
        }
        break;
      default:
        fail(`unknown row filter ${filter} in row ${y}`);
    }
  }
  return out;
}

/** Sample `i` (0-based, in samples) of an unfiltered row, at the header's bit depth. */
function sampleAt(row: Uint8Array, start: number, i: number, depth: number): number {
  if (depth === 8) return row[start + i] as number;
  if (depth === 16)
    return ((row[start + 2 * i] as number) << 8) | (row[start + 2 * i + 1] as number);
  const bit = i * depth;
  const byte = row[start + (bit >> 3)] as number;
  return (byte >> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
}

/**
 * Decode a PNG (or APNG) into 8-bit samples (see the file header for the channel rules).
 * @throws Error saying what is wrong: not a PNG, truncated, a bad CRC, an unknown colour type
 *   or bit depth, a missing palette, corrupt compressed data.
 * @example const { width, height, channels, pixels } = decodePng(bytes);
 */
export function decodePng(png: Uint8Array): DecodedPng {
  const chunks = readChunks(png);
  const ihdr = chunks[0];
  if (ihdr?.type !== "IHDR") fail("the first chunk is not IHDR");
  const h = readHeader(ihdr.data);
  const palette = chunks.find((c) => c.type === "PLTE")?.data;
  const trns = chunks.find((c) => c.type === "tRNS")?.data;
  if (h.colorType === 3 && !palette) fail("palette image without a PLTE chunk");
  let plays: number | null = null;
  const delays: number[] = [];
  const frameData: Uint8Array[][] = [];
  for (const { type, data } of chunks) {
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    if (type === "acTL" && data.length >= 8) plays = view.getUint32(4);
    else if (type === "fcTL" && data.length >= 26) {
      delays.push(view.getUint16(20) / (view.getUint16(22) || 100));
      frameData.push([]);
    } else if (type === "IDAT") {
      if (frameData.length === 0) frameData.push([]);
      frameData[0]?.push(data);
    } else if (type === "fdAT") frameData[frameData.length - 1]?.push(data.subarray(4));
  }
  if (!frameData[0]?.length) fail("no IDAT chunk (no image data)");
  const { channels, decode } = frameDecoder(h, palette, trns);
  const frames = frameData.map((parts) => decode(concatBytes(parts)));
  return {
    width: h.width,
    height: h.height,
    channels,
    pixels: frames[0] as Uint8Array,
    frames,
    delays,
    plays,
  };
}

/** The output channels of an image, and the function that turns its zlib data into samples. */
function frameDecoder(
  h: Header,
  palette: Uint8Array | undefined,
  trns: Uint8Array | undefined,
): { channels: DecodedImage["channels"]; decode: (zlib: Uint8Array) => Uint8Array } {
  const samples = (COLOR_TYPES[h.colorType] as { samples: number }).samples;
  const bpp = Math.max(1, (samples * h.bitDepth) >> 3);
  const passes = h.interlaced ? ADAM7 : ([[0, 0, 1, 1]] as const);
  const passSizes = passes.map(([x0, y0, dx, dy]) => {
    const width = Math.ceil((h.width - x0) / dx);
    const height = Math.ceil((h.height - y0) / dy);
    const rowBytes = Math.ceil((width * samples * h.bitDepth) / 8);
    return {
      width,
      height,
      rowBytes,
      bytes: width > 0 && height > 0 ? height * (rowBytes + 1) : 0,
    };
  });
  // output channels: a palette expands to RGB(A); a tRNS key adds alpha to gray and RGB
  const keyed = trns !== undefined && (h.colorType === 0 || h.colorType === 2);
  const channels = (
    h.colorType === 3 ? (trns ? 4 : 3) : keyed ? samples + 1 : samples
  ) as DecodedImage["channels"];
  const maxValue = (1 << h.bitDepth) - 1;
  const to8 =
    h.bitDepth === 16
      ? (v: number) => Math.round((v * 255) / 65535)
      : (v: number) => Math.round((v * 255) / maxValue);
  const trnsView = trns && new DataView(trns.buffer, trns.byteOffset, trns.byteLength);
  const key =
    keyed && trnsView
      ? h.colorType === 0
        ? [trnsView.getUint16(0)]
        : [trnsView.getUint16(0), trnsView.getUint16(2), trnsView.getUint16(4)]
      : null;

  const decode = (zlib: Uint8Array): Uint8Array => {
    let raw: Uint8Array;
    try {
      // inflating into a buffer of the known size is ~10x faster than letting fflate grow one
      raw = unzlibSync(zlib, { out: new Uint8Array(passSizes.reduce((n, p) => n + p.bytes, 0)) });
    } catch (error) {
      fail(`corrupt compressed image data (${(error as Error).message})`);
    }

    const pixels = new Uint8Array(h.width * h.height * channels);
    let at = 0;
    for (const [pass, [x0, y0, dx, dy]] of passes.entries()) {
      const {
        width: passWidth,
        height: passHeight,
        rowBytes,
        bytes: size,
      } = passSizes[pass] as {
        width: number;
        height: number;
        rowBytes: number;
        bytes: number;
      };
      if (size === 0) continue;
      if (at + size > raw.length) {
        fail(`truncated: the image data holds ${raw.length} bytes, its size needs more`);
      }
      const rows = unfilter(raw.subarray(at, at + size), passHeight, rowBytes, bpp);
      at += size;
      if (!h.interlaced && h.bitDepth === 8 && h.colorType !== 3 && !key) {
        pixels.set(rows); // 8-bit samples, nothing to expand: the rows are the pixels
        continue;
      }
      for (let py = 0; py < passHeight; py++) {
        const start = py * rowBytes;
        for (let px = 0; px < passWidth; px++) {
          const o = ((y0 + py * dy) * h.width + x0 + px * dx) * channels;
          if (h.colorType === 3) {
            const index = sampleAt(rows, start, px, h.bitDepth);
            if (3 * index + 2 >= (palette as Uint8Array).length) {
              fail(
                `palette index ${index} is past the PLTE's ${(palette as Uint8Array).length / 3} entries`,
              );
            }
            pixels.set((palette as Uint8Array).subarray(3 * index, 3 * index + 3), o);
            if (trns) pixels[o + 3] = index < trns.length ? (trns[index] as number) : 255;
            continue;
          }
          let transparent = key !== null;
          for (let s = 0; s < samples; s++) {
            const v = sampleAt(rows, start, px * samples + s, h.bitDepth);
            if (key && v !== key[s]) transparent = false;
            pixels[o + s] = to8(v);
          }
          if (key) pixels[o + samples] = transparent ? 0 : 255;
        }
      }
    }
    return pixels;
  };
  return { channels, decode };
}

/**
 * Decode an 8-bit grayscale PNG (what encodeGrayscalePng / encodeGridPng write).
 * @returns width, height and uint8 [height, width] pixels
 * @throws Error when the PNG is not 8-bit grayscale without alpha, or is broken (see decodePng)
 */
export function decodeGrayscalePng(png: Uint8Array): {
  width: number;
  height: number;
  pixels: Uint8Array;
} {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  if (png.length < 26 || png[24] !== 8 || png[25] !== 0 || view.getUint32(12) !== 0x49484452) {
    throw new Error("not an 8-bit grayscale PNG");
  }
  const { width, height, channels, pixels } = decodePng(png);
  if (channels !== 1) throw new Error("not an 8-bit grayscale PNG (it has a tRNS colour key)");
  return { width, height, pixels };
}
