/**
 * Reads one image file's bytes, PNG or JPEG (told apart by their signatures, not by the file
 * name), into 8-bit samples: PNG through @edgegan/shared's decoder (every colour type and bit
 * depth), JPEG through jpeg-js (pure JavaScript, baseline and progressive).
 */
import { type DecodedImage, decodePng } from "@edgegan/shared/png-decode";
import jpeg from "jpeg-js";

/** Largest JPEG decoded, in megapixels (jpeg-js refuses bigger ones instead of allocating). */
const MAX_JPEG_MEGAPIXELS = 64;

const isPng = (b: Uint8Array) => b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;
const isJpeg = (b: Uint8Array) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;

/** A JPEG that ends before its End Of Image marker (FF D9) is cut short. */
function endsWithEoi(bytes: Uint8Array): boolean {
  // some writers pad after EOI: look at the last few bytes
  for (let i = bytes.length - 2; i >= Math.max(0, bytes.length - 16); i--) {
    if (bytes[i] === 0xff && bytes[i + 1] === 0xd9) return true;
  }
  return false;
}

function decodeJpeg(bytes: Uint8Array): DecodedImage {
  if (!endsWithEoi(bytes)) throw new Error("truncated JPEG: no End Of Image marker at its end");
  const { width, height, data } = jpeg.decode(bytes, {
    useTArray: true,
    formatAsRGBA: false,
    tolerantDecoding: false,
    maxResolutionInMP: MAX_JPEG_MEGAPIXELS,
  });
  if (width < 1 || height < 1 || data.length !== width * height * 3) {
    throw new Error(`JPEG decoded to ${data.length} bytes for ${width}x${height} (corrupt file)`);
  }
  return { width, height, channels: 3, pixels: data };
}

/**
 * Decode a PNG or JPEG file's bytes.
 * @throws Error saying what is wrong (neither format, truncated, corrupt); the caller adds the
 *   file's name.
 */
export function decodeImage(bytes: Uint8Array): DecodedImage {
  if (isPng(bytes)) return decodePng(bytes);
  if (isJpeg(bytes)) return decodeJpeg(bytes);
  if (bytes.length === 0) throw new Error("empty file");
  throw new Error("neither a PNG nor a JPEG (unknown signature)");
}
