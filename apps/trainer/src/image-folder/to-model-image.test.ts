/** The 28x28 grayscale rule on hand-made images: identity, exact block averages, fit and padding, luminance, alpha. */
import { describe, expect, it } from "vitest";
import { resizeArea, toModelImage } from "./to-model-image.ts";

const gray = (width: number, height: number, at: (x: number, y: number) => number) => ({
  width,
  height,
  channels: 1 as const,
  pixels: Uint8Array.from({ length: width * height }, (_, i) =>
    at(i % width, Math.floor(i / width)),
  ),
});

describe("toModelImage", () => {
  it("leaves a 28x28 grayscale image unchanged", () => {
    const image = gray(28, 28, (x, y) => (x * 9 + y * 7) % 256);
    expect(toModelImage(image)).toEqual(image.pixels);
  });

  it("shrinks 56x56 to 28x28 by averaging each 2x2 block exactly", () => {
    const image = gray(56, 56, (x, y) => (x % 2) * 100 + (y % 2) * 50 + x);
    const out = toModelImage(image);
    // block (0, 0): x 0,1 and y 0,1 -> (0 + 101 + 50 + 151) / 4 = 75.5 -> 76
    expect(out[0]).toBe(76);
    // block (3, 5): x 6,7 -> (6 + 107 + 56 + 157) / 4 = 81.5 -> 82
    expect(out[5 * 28 + 3]).toBe(82);
  });

  it("fits the longer side and centres on the border's mean: 56x28 white-framed -> 28x14 in the middle", () => {
    const image = gray(56, 28, (x, y) => (x === 0 || y === 0 || x === 55 || y === 27 ? 200 : 40));
    const out = toModelImage(image);
    // rows 0..6 and 21..27 are padding: the border's mean is 200
    for (const y of [0, 6, 21, 27]) expect(out[y * 28 + 14], `row ${y}`).toBe(200);
    // inside the scaled image (rows 7..20), away from its edges: 40
    expect(out[14 * 28 + 14]).toBe(40);
    // its top row averages a frame row (200) with an inner row (40), over 2x2 blocks
    expect(out[7 * 28 + 14]).toBe(120);
  });

  it("upscales a small image by the same area rule (7x7 -> 28x28: each pixel a 4x4 block)", () => {
    const image = gray(7, 7, (x, y) => x * 30 + y);
    const out = toModelImage(image);
    expect(out[0]).toBe(0);
    expect(out[3 * 28 + 3]).toBe(0);
    expect(out[4 * 28 + 4]).toBe(31);
    expect(out[27 * 28 + 27]).toBe(186);
  });

  it("converts colour with BT.601 luminance and composites alpha over black", () => {
    const rgb = { width: 1, height: 1, channels: 3 as const, pixels: Uint8Array.from([255, 0, 0]) };
    expect(toModelImage(rgb)[0]).toBe(76); // 0.299 * 255
    const rgba = {
      width: 1,
      height: 1,
      channels: 4 as const,
      pixels: Uint8Array.from([0, 255, 0, 128]),
    };
    expect(toModelImage(rgba)[0]).toBe(Math.round((0.587 * 255 * 128) / 255));
    const grayAlpha = {
      width: 1,
      height: 1,
      channels: 2 as const,
      pixels: Uint8Array.from([200, 0]),
    };
    expect(toModelImage(grayAlpha)[400]).toBe(0); // fully transparent: black
  });
});

describe("resizeArea", () => {
  it("keeps the mean of an image when shrinking by a non-integer factor", () => {
    const src = Float32Array.from({ length: 30 * 20 }, (_, i) => (i * 37) % 255);
    const out = resizeArea(src, 30, 20, 28, 19);
    const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(out)).toBeCloseTo(mean(src), 3);
  });
});
