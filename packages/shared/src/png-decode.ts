/**
 * Decodes the 8-bit PNGs EdgeGAN writes (grayscale, RGB, RGBA; still or animated) back into
 * pixels: inflate, then undo the five PNG row filters. For tests and clients that check what the
 * API drew: it reads whichever filter each row names, so it checks the encoder's choices rather
 * than mirroring them. APNG frames are read from IDAT and fdAT in sequence order (full-canvas
 * frames, as the encoder writes them), with each fcTL's delay.
 * No Node or DOM APIs: runs in workerd too.
 */
import { unzlibSync } from "fflate";
import { concat, paeth } from "./png.ts";

const CHANNELS_OF_COLOUR_TYPE: Record<number, 1 | 3 | 4> = { 0: 1, 2: 3, 6: 4 };

/** A decoded PNG: the first (or only) frame in `pixels`, every frame of an APNG in `frames`. */
export interface DecodedPng {
  width: number;
  height: number;
  channels: 1 | 3 | 4;
  /** uint8 [height, width, channels] of the default image (frame 0). */
  pixels: Uint8Array;
  /** Every frame (one for a still PNG). */
  frames: Uint8Array[];
  /** Each frame's delay in seconds (APNG), empty for a still PNG. */
  delays: number[];
  /** acTL's num_plays (0: forever); null for a still PNG. */
  plays: number | null;
}

function unfilter(raw: Uint8Array, width: number, height: number, bpp: number): Uint8Array {
  const rowBytes = width * bpp;
  const pixels = new Uint8Array(rowBytes * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (rowBytes + 1)] as number;
    for (let x = 0; x < rowBytes; x++) {
      const v = raw[y * (rowBytes + 1) + 1 + x] as number;
      const a = x >= bpp ? (pixels[y * rowBytes + x - bpp] as number) : 0;
      const b = y > 0 ? (pixels[(y - 1) * rowBytes + x] as number) : 0;
      const c = x >= bpp && y > 0 ? (pixels[(y - 1) * rowBytes + x - bpp] as number) : 0;
      const predictor = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filter];
      if (predictor === undefined) throw new Error(`unknown PNG filter ${filter}`);
      pixels[y * rowBytes + x] = (v + predictor) & 0xff;
    }
  }
  return pixels;
}

/**
 * Decode a PNG or APNG written by png.ts.
 * @throws Error when the PNG is not 8-bit gray/RGB/RGBA or uses an unknown row filter
 */
export function decodePng(png: Uint8Array): DecodedPng {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels: 1 | 3 | 4 = 1;
  let plays: number | null = null;
  const delays: number[] = [];
  const frameData: Uint8Array[][] = [];
  while (offset < png.length) {
    const length = view.getUint32(offset);
    const type = new TextDecoder().decode(png.subarray(offset + 4, offset + 8));
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (type === "IHDR") {
      width = view.getUint32(offset + 8);
      height = view.getUint32(offset + 12);
      const found = CHANNELS_OF_COLOUR_TYPE[data[9] as number];
      if (data[8] !== 8 || found === undefined) throw new Error("not an 8-bit gray/RGB/RGBA PNG");
      channels = found;
    } else if (type === "acTL") {
      plays = view.getUint32(offset + 12);
    } else if (type === "fcTL") {
      delays.push(view.getUint16(offset + 8 + 20) / view.getUint16(offset + 8 + 22));
      frameData.push([]);
    } else if (type === "IDAT") {
      if (frameData.length === 0) frameData.push([]);
      frameData[0]?.push(data);
    } else if (type === "fdAT") {
      frameData[frameData.length - 1]?.push(data.subarray(4));
    }
    offset += 12 + length;
  }
  const frames = frameData.map((parts) =>
    unfilter(unzlibSync(concat(parts)), width, height, channels),
  );
  return { width, height, channels, pixels: frames[0] ?? new Uint8Array(0), frames, delays, plays };
}

/**
 * Decode a grayscale PNG written by encodeGrayscalePng / encodeGridPng.
 * @returns width, height and uint8 [height, width] pixels
 * @throws Error when the PNG is not 8-bit grayscale or uses an unknown row filter
 */
export function decodeGrayscalePng(png: Uint8Array): {
  width: number;
  height: number;
  pixels: Uint8Array;
} {
  // IHDR's bit depth and colour type (bytes 24 and 25 of the file)
  if (png[24] !== 8 || png[25] !== 0) throw new Error("not an 8-bit grayscale PNG");
  const { width, height, pixels } = decodePng(png);
  return { width, height, pixels };
}
