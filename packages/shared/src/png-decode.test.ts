import { describe, expect, it } from "vitest";
import { encodeGrayscalePng } from "./png.ts";
import { decodeGrayscalePng } from "./png-decode.ts";
import { createRng } from "./rng.ts";

describe("decodeGrayscalePng", () => {
  it("gives back the pixels the encoder was given, whatever row filters it chose", () => {
    const rng = createRng(5);
    // noise rows, flat rows and gradients make the encoder pick different filters
    const width = 37;
    const height = 23;
    const pixels = Uint8Array.from({ length: width * height }, (_, i) => {
      const y = Math.floor(i / width);
      return y % 3 === 0 ? rng.int(256) : y % 3 === 1 ? 128 : (i * 7) % 256;
    });
    const decoded = decodeGrayscalePng(encodeGrayscalePng(pixels, width, height));
    expect(decoded.width).toBe(width);
    expect(decoded.height).toBe(height);
    expect(decoded.pixels).toEqual(pixels);
  });

  it("refuses a PNG that is not 8-bit grayscale", () => {
    const png = encodeGrayscalePng(new Uint8Array(4), 2, 2);
    png[8 + 8 + 9] = 2; // IHDR colour type: RGB
    expect(() => decodeGrayscalePng(png)).toThrow(/not an 8-bit grayscale PNG/);
  });
});
