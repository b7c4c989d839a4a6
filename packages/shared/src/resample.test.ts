import { describe, expect, it } from "vitest";
import { upscaleTiles } from "./resample.ts";

// one tile: pixel (x, y) = x + 28 y (mod 256)
const tile = Uint8Array.from({ length: 784 }, (_, i) => i % 256);
/** A tile with a vertical edge: 0 left of column 14, 255 from it on. */
const edge = Uint8Array.from({ length: 784 }, (_, i) => (i % 28 < 14 ? 0 : 255));

describe("upscaleTiles", () => {
  it("returns the tiles unchanged at scale 1, whatever the method", () => {
    expect(upscaleTiles(tile, 1, 1)).toBe(tile);
    expect(upscaleTiles(tile, 1, 1, "bicubic")).toBe(tile);
  });

  it("upscales by nearest neighbour: pixel (x, y) of the result is pixel (x / s, y / s)", () => {
    const scaled = upscaleTiles(tile, 1, 3);
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

  it("keeps tiles apart", () => {
    const two = new Uint8Array(2 * 784);
    two.fill(10, 0, 784);
    two.fill(200, 784);
    for (const method of ["nearest", "bilinear", "bicubic"] as const) {
      const out = upscaleTiles(two, 2, 2, method);
      expect(out.length).toBe(2 * 56 * 56);
      expect(new Set(out.subarray(0, 56 * 56)), method).toEqual(new Set([10]));
      expect(new Set(out.subarray(56 * 56)), method).toEqual(new Set([200]));
    }
  });

  it("bilinear ramps across an edge in even steps, monotone, with no overshoot", () => {
    const row = Array.from(upscaleTiles(edge, 1, 8, "bilinear").subarray(100 * 224, 101 * 224));
    for (let x = 1; x < 224; x++) expect(row[x]).toBeGreaterThanOrEqual(row[x - 1] as number);
    // the ramp lies between the centres of pixels 13 and 14 (x = 108 .. 115)
    expect(row.slice(0, 108).every((v) => v === 0)).toBe(true);
    expect(row.slice(116).every((v) => v === 255)).toBe(true);
    expect(row.slice(108, 116)).toEqual([16, 48, 80, 112, 143, 175, 207, 239]);
  });

  it("bicubic is steeper than bilinear at an edge and clamps its overshoot to 0..255", () => {
    const cubic = upscaleTiles(edge, 1, 8, "bicubic").subarray(100 * 224, 101 * 224);
    const linear = upscaleTiles(edge, 1, 8, "bilinear").subarray(100 * 224, 101 * 224);
    expect(Math.min(...cubic)).toBe(0);
    expect(Math.max(...cubic)).toBe(255);
    expect((cubic[113] as number) - (cubic[110] as number)).toBeGreaterThan(
      (linear[113] as number) - (linear[110] as number),
    );
    // symmetric about the edge: v(x) + v(223 - x) = 255, up to rounding
    for (let x = 0; x < 224; x++) {
      const sum = (cubic[x] as number) + (cubic[223 - x] as number);
      expect(Math.abs(sum - 255)).toBeLessThanOrEqual(1);
    }
  });

  it("keeps a flat tile flat (the weights sum to one)", () => {
    const flat = new Uint8Array(784).fill(77);
    for (const method of ["bilinear", "bicubic"] as const) {
      expect(new Set(upscaleTiles(flat, 1, 16, method))).toEqual(new Set([77]));
    }
  });

  it("refuses a bad scale or a wrong pixel count", () => {
    expect(() => upscaleTiles(tile, 1, 0)).toThrow(/scale must be a positive integer/);
    expect(() => upscaleTiles(tile, 2, 1)).toThrow(/count \* 784 bytes, got 784/);
  });
});
