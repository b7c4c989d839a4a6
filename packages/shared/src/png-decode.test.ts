import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { crc32 } from "./crc32.ts";
import { encodeAnimatedPng, encodeGrayscalePng, encodePng } from "./png.ts";
import { decodeGrayscalePng, decodePng } from "./png-decode.ts";
import { createRng } from "./rng.ts";

/** PNGs written by Python's zlib (scripts/make-png-fixtures.py), each with the samples expected. */
const FIXTURES = new URL("../fixtures/png/", import.meta.url);
const fixtureNames = readdirSync(FIXTURES)
  .filter((f) => f.endsWith(".png"))
  .map((f) => f.slice(0, -4));

/** PNGs ImageMagick wrote (scripts/make-png-fixtures-imagemagick.sh): palette with and without tRNS, 1/4/16-bit gray, gray+alpha, 16-bit RGB(A), Adam7. */
const MAGICK = new URL("../fixtures/png-imagemagick/", import.meta.url);
const magickNames = readdirSync(MAGICK)
  .filter((f) => f.endsWith(".png"))
  .map((f) => f.slice(0, -4));

function noisyImage(width: number, height: number): Uint8Array {
  const rng = createRng(5);
  // noise rows, flat rows and gradients make the encoder pick different filters
  return Uint8Array.from({ length: width * height }, (_, i) => {
    const y = Math.floor(i / width);
    return y % 3 === 0 ? rng.int(256) : y % 3 === 1 ? 128 : (i * 7) % 256;
  });
}

/** Set a chunk's CRC right again after editing its bytes (chunk starts at `offset`). */
function fixCrc(png: Uint8Array, offset: number): void {
  const length = new DataView(png.buffer).getUint32(offset);
  new DataView(png.buffer).setUint32(
    offset + 8 + length,
    crc32(png.subarray(offset + 4, offset + 8 + length)),
  );
}

describe("decodePng", () => {
  it("gives back the pixels EdgeGAN's encoder was given, whatever row filters it chose", () => {
    const [width, height] = [37, 23];
    const pixels = noisyImage(width, height);
    const decoded = decodePng(encodeGrayscalePng(pixels, width, height));
    expect(decoded).toMatchObject({ width, height, channels: 1, pixels, delays: [], plays: null });
  });

  it("covers every colour type, bit depth, interlace and tRNS in the fixtures", () => {
    // 5 gray depths, 2 RGB, 4 palette, 2 gray+alpha, 2 RGBA; each plain and Adam7; tRNS on 0, 2, 3
    expect(fixtureNames).toHaveLength(2 * (5 * 2 + 2 * 2 + 4 * 2 + 2 + 2));
  });

  it.each(fixtureNames)("reads %s (written by another encoder) to the expected samples", (name) => {
    const expected = JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURES), "utf8")) as {
      width: number;
      height: number;
      channels: number;
      pixels: number[];
    };
    const { width, height, channels, pixels } = decodePng(
      new Uint8Array(readFileSync(new URL(`${name}.png`, FIXTURES))),
    );
    expect({ width, height, channels, pixels: Array.from(pixels) }).toEqual(expected);
  });

  it.each(magickNames)("reads %s (ImageMagick 6.9 wrote it) as ImageMagick reads it", (name) => {
    // ImageMagick's own decode of the same file, 8-bit RGBA: `convert NAME.png -depth 8 rgba:NAME.rgba`
    const expected = new Uint8Array(readFileSync(new URL(`${name}.rgba`, MAGICK)));
    const { width, height, channels, pixels } = decodePng(
      new Uint8Array(readFileSync(new URL(`${name}.png`, MAGICK))),
    );
    const rgba = new Uint8Array(width * height * 4);
    for (let i = 0; i < width * height; i++) {
      const p = pixels.subarray(i * channels, (i + 1) * channels);
      const [r, g, b] = channels <= 2 ? [p[0], p[0], p[0]] : [p[0], p[1], p[2]];
      const a = channels === 2 ? p[1] : channels === 4 ? p[3] : 255;
      rgba.set([r as number, g as number, b as number, a as number], i * 4);
    }
    // 16-bit samples: ImageMagick's -depth 8 truncates (v / 257, floored), this decoder rounds
    const png = new Uint8Array(readFileSync(new URL(`${name}.png`, MAGICK)));
    const tolerance = png[24] === 16 ? 1 : 0;
    const worst = rgba.reduce((m, v, i) => Math.max(m, Math.abs(v - (expected[i] as number))), 0);
    expect(rgba.length).toBe(expected.length);
    expect(worst).toBeLessThanOrEqual(tolerance);
  });

  it("calls a file cut anywhere truncated or corrupt, never returning pixels", () => {
    const png = encodeGrayscalePng(noisyImage(28, 28), 28, 28);
    for (const cut of [8, 20, 33, 40, png.length - 20, png.length - 12, png.length - 1]) {
      expect(() => decodePng(png.subarray(0, cut)), `cut at ${cut}`).toThrow(/truncated/);
    }
    expect(() => decodePng(png.subarray(0, 5))).toThrow(/not a PNG/);
  });

  it("names a bad CRC, a bad colour type or bit depth, a bad filter and data too short", () => {
    const png = () => encodeGrayscalePng(noisyImage(8, 8), 8, 8);
    const flipped = png();
    flipped[45] = (flipped[45] as number) ^ 1; // inside IDAT's data
    expect(() => decodePng(flipped)).toThrow(/IDAT at byte 33 fails its CRC/);
    const colour = png();
    colour[25] = 5;
    fixCrc(colour, 8);
    expect(() => decodePng(colour)).toThrow(/colour type 5 does not exist/);
    const depth = png();
    depth[24] = 3;
    fixCrc(depth, 8);
    expect(() => decodePng(depth)).toThrow(/bit depth 3 is not allowed for colour type 0/);
    const taller = png();
    taller[23] = 9; // height 8 -> 9: the data holds a row too few
    fixCrc(taller, 8);
    expect(() => decodePng(taller)).toThrow(/truncated: the image data holds/);
  });
});

describe("decodePng: RGB, RGBA and APNG from png.ts", () => {
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

describe("decodeGrayscalePng", () => {
  it("gives back an 8-bit grayscale image's pixels", () => {
    const pixels = noisyImage(9, 4);
    expect(decodeGrayscalePng(encodeGrayscalePng(pixels, 9, 4))).toEqual({
      width: 9,
      height: 4,
      pixels,
    });
  });

  it("refuses a PNG that is not 8-bit grayscale", () => {
    const png = encodeGrayscalePng(new Uint8Array(4), 2, 2);
    png[8 + 8 + 9] = 2; // IHDR colour type: RGB
    expect(() => decodeGrayscalePng(png)).toThrow(/not an 8-bit grayscale PNG/);
  });
});
