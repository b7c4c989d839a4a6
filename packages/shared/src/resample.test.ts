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

/**
 * The plain float formulation (the implementation before the fixed-point one): for every output
 * coordinate its own source position, float32 horizontal pass, float vertical pass, rounded half
 * up and clamped. The fixed-point passes must stay within one level of it.
 */
function floatReference(
  pixels: Uint8Array,
  count: number,
  scale: number,
  method: "bilinear" | "bicubic",
): Uint8Array {
  const size = 28 * scale;
  const taps = method === "bilinear" ? 2 : 4;
  const index = new Int32Array(size * taps);
  const weight = new Float32Array(size * taps);
  for (let o = 0; o < size; o++) {
    const source = (o + 0.5) / scale - 0.5;
    const i0 = Math.floor(source);
    const f = source - i0;
    const f2 = f * f;
    const f3 = f2 * f;
    const w =
      method === "bilinear"
        ? [1 - f, f]
        : [
            -0.5 * f3 + f2 - 0.5 * f,
            1.5 * f3 - 2.5 * f2 + 1,
            -1.5 * f3 + 2 * f2 + 0.5 * f,
            0.5 * f3 - 0.5 * f2,
          ];
    const first = method === "bilinear" ? i0 : i0 - 1;
    for (let k = 0; k < taps; k++) {
      index[o * taps + k] = Math.min(27, Math.max(0, first + k));
      weight[o * taps + k] = w[k] as number;
    }
  }
  const out = new Uint8Array(count * size * size);
  const across = new Float32Array(28 * size);
  for (let t = 0; t < count; t++) {
    for (let y = 0; y < 28; y++) {
      for (let x = 0; x < size; x++) {
        let sum = 0;
        for (let k = 0; k < taps; k++) {
          sum +=
            (weight[x * taps + k] as number) *
            (pixels[t * 784 + y * 28 + (index[x * taps + k] as number)] as number);
        }
        across[y * size + x] = sum;
      }
    }
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        let sum = 0;
        for (let k = 0; k < taps; k++) {
          sum +=
            (weight[y * taps + k] as number) *
            (across[(index[y * taps + k] as number) * size + x] as number);
        }
        out[t * size * size + y * size + x] = Math.min(255, Math.max(0, Math.floor(sum + 0.5)));
      }
    }
  }
  return out;
}

describe("fixed-point resampling against the float formulation", () => {
  // random tiles (worst case for rounding) plus hard edges (worst case for overshoot)
  let state = 12345;
  const random = Uint8Array.from({ length: 3 * 784 }, () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state >>> 24;
  });
  const checker = Uint8Array.from({ length: 784 }, (_, i) =>
    ((i % 28) + Math.floor(i / 28)) % 2 === 0 ? 0 : 255,
  );
  const tiles = new Uint8Array([...random, ...checker, ...edge]);
  const count = tiles.length / 784;

  for (const method of ["bilinear", "bicubic"] as const) {
    it(`${method} stays within one level of it at every scale 2..16`, () => {
      let exact = 0;
      let total = 0;
      for (let scale = 2; scale <= 16; scale++) {
        const fixed = upscaleTiles(tiles, count, scale, method);
        const reference = floatReference(tiles, count, scale, method);
        let worst = 0;
        for (let i = 0; i < fixed.length; i++) {
          const d = Math.abs((fixed[i] as number) - (reference[i] as number));
          if (d > worst) worst = d;
          if (d === 0) exact++;
        }
        total += fixed.length;
        expect(worst, `${method} scale ${scale}`).toBeLessThanOrEqual(1);
      }
      // off by one only near a rounding boundary (random tiles: about 2% of bicubic pixels)
      expect(exact / total).toBeGreaterThan(0.95);
    });
  }
});
