/**
 * Decodes the 8-bit grayscale PNGs EdgeGAN writes back into pixels (inflate, then undo the five
 * PNG row filters). For tests and clients that check what the API drew: it reads whichever filter
 * each row names, so it checks the encoder's choices rather than mirroring them.
 * No Node or DOM APIs: runs in workerd too.
 */
import { unzlibSync } from "fflate";
import { paeth } from "./png.ts";

/**
 * Decode a PNG written by encodeGrayscalePng / encodeGridPng.
 * @returns width, height and uint8 [height, width] pixels
 * @throws Error when the PNG is not 8-bit grayscale or uses an unknown row filter
 */
export function decodeGrayscalePng(png: Uint8Array): {
  width: number;
  height: number;
  pixels: Uint8Array;
} {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let offset = 8;
  let width = 0;
  let height = 0;
  const idat: Uint8Array[] = [];
  while (offset < png.length) {
    const length = view.getUint32(offset);
    const type = new TextDecoder().decode(png.subarray(offset + 4, offset + 8));
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (type === "IHDR") {
      width = view.getUint32(offset + 8);
      height = view.getUint32(offset + 12);
      if (data[8] !== 8 || data[9] !== 0) throw new Error("not an 8-bit grayscale PNG");
    } else if (type === "IDAT") idat.push(data);
    offset += 12 + length;
  }
  const joined = new Uint8Array(idat.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of idat) {
    joined.set(part, at);
    at += part.length;
  }
  const raw = unzlibSync(joined);
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (width + 1)] as number;
    for (let x = 0; x < width; x++) {
      const v = raw[y * (width + 1) + 1 + x] as number;
      const a = x > 0 ? (pixels[y * width + x - 1] as number) : 0;
      const b = y > 0 ? (pixels[(y - 1) * width + x] as number) : 0;
      const c = x > 0 && y > 0 ? (pixels[(y - 1) * width + x - 1] as number) : 0;
      const predictor = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filter];
      if (predictor === undefined) throw new Error(`unknown PNG filter ${filter}`);
      pixels[y * width + x] = (v + predictor) & 0xff;
    }
  }
  return { width, height, pixels };
}
