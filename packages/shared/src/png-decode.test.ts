import { describe, expect, it } from "vitest";
import { encodeAnimatedPng, encodeGrayscalePng, encodePng } from "./png.ts";
import { decodeGrayscalePng, decodePng } from "./png-decode.ts";
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

describe("decodePng", () => {
  const rng = createRng(9);
  const noise = (n: number) => Uint8Array.from({ length: n }, () => rng.int(256));

  it("round-trips RGB and RGBA images, the Sub and Paeth filters reaching back a whole pixel", () => {
    for (const channels of [3, 4] as const) {
      // a horizontal gradient per channel: Sub, one pixel back, leaves constant bytes
      const gradient = Uint8Array.from(
        { length: 40 * 5 * channels },
        (_, i) => (Math.floor(i / channels) % 40) * (3 + (i % channels)),
      );
      for (const pixels of [gradient, noise(40 * 5 * channels)]) {
        const decoded = decodePng(encodePng(pixels, 40, 5, channels));
        expect([decoded.width, decoded.height, decoded.channels]).toEqual([40, 5, channels]);
        expect(decoded.pixels).toEqual(pixels);
        expect(decoded.plays).toBeNull();
      }
    }
  });

  it("reads every frame of an APNG, with its delay and endless looping", () => {
    const frames = [noise(12 * 7 * 4), noise(12 * 7 * 4), new Uint8Array(12 * 7 * 4)];
    const png = encodeAnimatedPng(frames, 12, 7, 4, 8);
    const decoded = decodePng(png);
    expect(decoded.frames).toEqual(frames);
    expect(decoded.pixels).toEqual(frames[0]);
    expect(decoded.delays).toEqual([0.125, 0.125, 0.125]);
    expect(decoded.plays).toBe(0);
  });

  it("writes the APNG chunks in order with consecutive sequence numbers", () => {
    const png = encodeAnimatedPng([noise(4), noise(4), noise(4)], 2, 2, 1, 30);
    const view = new DataView(png.buffer, png.byteOffset);
    const chunks: string[] = [];
    const sequence: number[] = [];
    for (let at = 8; at < png.length; ) {
      const length = view.getUint32(at);
      const type = new TextDecoder().decode(png.subarray(at + 4, at + 8));
      chunks.push(type);
      if (type === "fcTL" || type === "fdAT") sequence.push(view.getUint32(at + 8));
      at += 12 + length;
    }
    expect(chunks).toEqual([
      "IHDR",
      "acTL",
      "fcTL",
      "IDAT",
      "fcTL",
      "fdAT",
      "fcTL",
      "fdAT",
      "IEND",
    ]);
    expect(sequence).toEqual([0, 1, 2, 3, 4]);
  });

  it("refuses frames of another size and fps outside 1..255", () => {
    expect(() => encodeAnimatedPng([new Uint8Array(4), new Uint8Array(3)], 2, 2, 1, 10)).toThrow(
      /= 4 bytes, got 3/,
    );
    expect(() => encodeAnimatedPng([new Uint8Array(4)], 2, 2, 1, 0)).toThrow(/fps must be/);
    expect(() => encodeAnimatedPng([], 2, 2, 1, 10)).toThrow(/at least one frame/);
  });
});
