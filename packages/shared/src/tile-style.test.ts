import { describe, expect, it } from "vitest";
import { styleTiles } from "./tile-style.ts";

describe("styleTiles", () => {
  // one tile: pixel (x, y) = x + 28 y (mod 256)
  const tile = Uint8Array.from({ length: 784 }, (_, i) => i % 256);

  it("returns the tiles unchanged at scale 1 without inversion", () => {
    expect(styleTiles(tile, 1, { scale: 1, invert: false })).toBe(tile);
  });

  it("upscales by nearest neighbour: pixel (x, y) of the result is pixel (x / s, y / s)", () => {
    const scaled = styleTiles(tile, 1, { scale: 3, invert: false });
    expect(scaled.length).toBe(84 * 84);
    for (const [x, y] of [
      [0, 0],
      [2, 2],
      [3, 0],
      [83, 83],
      [40, 17],
    ] as const) {
      expect(scaled[y * 84 + x], `(${x}, ${y})`).toBe(
        tile[Math.floor(y / 3) * 28 + Math.floor(x / 3)],
      );
    }
  });

  it("inverts every pixel, and keeps tiles apart", () => {
    const two = new Uint8Array(2 * 784);
    two.fill(10, 0, 784);
    two.fill(200, 784);
    const out = styleTiles(two, 2, { scale: 2, invert: true });
    expect(out.length).toBe(2 * 56 * 56);
    expect(new Set(out.subarray(0, 56 * 56))).toEqual(new Set([245]));
    expect(new Set(out.subarray(56 * 56))).toEqual(new Set([55]));
  });

  it("refuses a bad scale or a wrong pixel count", () => {
    expect(() => styleTiles(tile, 1, { scale: 0, invert: false })).toThrow(
      /scale must be a positive integer/,
    );
    expect(() => styleTiles(tile, 2, { scale: 1, invert: true })).toThrow(
      /count \* 784 bytes, got 784/,
    );
  });
});
