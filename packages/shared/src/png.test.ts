import * as zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { PIXELS_PER_IMAGE } from "./contract.ts";
import { encodeGrayscalePng, encodeGridPng, encodePng, gridLayout } from "./png.ts";

/**
 * An independent PNG decoder for 8-bit grayscale: parses chunks, checks every CRC with
 * node:zlib.crc32, inflates the IDAT stream with node:zlib and undoes all five row filters.
 */
function decodePng(png: Uint8Array): {
  width: number;
  height: number;
  pixels: Uint8Array;
  filters: number[];
} {
  const buf = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let at = 8;
  const types: string[] = [];
  const idat: Buffer[] = [];
  let ihdr: Buffer | null = null;
  while (at < buf.length) {
    const length = buf.readUInt32BE(at);
    const type = buf.toString("latin1", at + 4, at + 8);
    const data = buf.subarray(at + 8, at + 8 + length);
    const crc = buf.readUInt32BE(at + 8 + length);
    expect(zlib.crc32(buf.subarray(at + 4, at + 8 + length)), `CRC of ${type}`).toBe(crc);
    types.push(type);
    if (type === "IHDR") ihdr = data;
    if (type === "IDAT") idat.push(data);
    at += 12 + length;
  }
  expect(at).toBe(buf.length);
  expect(types[0]).toBe("IHDR");
  expect(types.at(-1)).toBe("IEND");
  if (!ihdr) throw new Error("no IHDR");
  const width = ihdr.readUInt32BE(0);
  const height = ihdr.readUInt32BE(4);
  expect([ihdr[8], ihdr[9], ihdr[10], ihdr[11], ihdr[12]]).toEqual([8, 0, 0, 0, 0]);
  const raw = zlib.inflateSync(Buffer.concat(idat));
  expect(raw.length).toBe(height * (width + 1));
  const pixels = new Uint8Array(width * height);
  const filters: number[] = [];
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (width + 1)] as number;
    filters.push(filter);
    for (let x = 0; x < width; x++) {
      const v = raw[y * (width + 1) + 1 + x] as number;
      const a = x > 0 ? (pixels[y * width + x - 1] as number) : 0;
      const b = y > 0 ? (pixels[(y - 1) * width + x] as number) : 0;
      const c = x > 0 && y > 0 ? (pixels[(y - 1) * width + x - 1] as number) : 0;
      let predicted: number;
      if (filter === 0) predicted = 0;
      else if (filter === 1) predicted = a;
      else if (filter === 2) predicted = b;
      else if (filter === 3) predicted = Math.floor((a + b) / 2);
      else if (filter === 4) {
        const p = a + b - c;
        const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
        predicted = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else throw new Error(`bad filter ${filter}`);
      pixels[y * width + x] = (v + predicted) & 0xff;
    }
  }
  return { width, height, pixels, filters };
}

function noise(n: number, seed: number): Uint8Array {
  let s = seed;
  return Uint8Array.from({ length: n }, () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s >>> 24;
  });
}

describe("encodeGrayscalePng", () => {
  const images: Array<[string, number, number, (x: number, y: number) => number]> = [
    ["1x1", 1, 1, () => 200],
    ["horizontal gradient", 37, 5, (x) => (x * 7) & 0xff],
    ["vertical gradient", 5, 40, (_x, y) => (y * 6) & 0xff],
    ["diagonal", 28, 28, (x, y) => (x * 9 + y * 5) & 0xff],
    ["checkerboard", 16, 9, (x, y) => ((x ^ y) & 1 ? 255 : 0)],
  ];
  it.each(images)(
    "round-trips %s exactly through an independent decoder",
    (_name, width, height, f) => {
      const pixels = Uint8Array.from({ length: width * height }, (_, i) =>
        f(i % width, Math.floor(i / width)),
      );
      const decoded = decodePng(encodeGrayscalePng(pixels, width, height));
      expect([decoded.width, decoded.height]).toEqual([width, height]);
      expect(Buffer.from(decoded.pixels).equals(Buffer.from(pixels))).toBe(true);
    },
  );

  it("round-trips random noise and uses more than one filter type on structured images", () => {
    const pixels = noise(50 * 30, 1);
    expect(
      Buffer.from(decodePng(encodeGrayscalePng(pixels, 50, 30)).pixels).equals(Buffer.from(pixels)),
    ).toBe(true);
    // vertical stripes: every row equals the one above, so Up (2) beats None after row 0
    const stripes = Uint8Array.from({ length: 20 * 10 }, (_, i) => ((i % 20) * 37) & 0xff);
    const { filters } = decodePng(encodeGrayscalePng(stripes, 20, 10));
    expect(filters.slice(1).every((f) => f === 2)).toBe(true);
    // a ramp along x: Sub (1) leaves constant small bytes
    const ramp = Uint8Array.from({ length: 64 * 3 }, (_, i) => (i % 64) * 3 + 10);
    expect(decodePng(encodeGrayscalePng(ramp, 64, 3)).filters[0]).toBe(1);
  });

  it("gives every row the filter with the smallest sum of |residual as int8|, the first on ties", () => {
    const scoreOf = (row: Uint8Array, prev: Uint8Array | null, type: number) => {
      let score = 0;
      for (let x = 0; x < row.length; x++) {
        const a = x > 0 ? (row[x - 1] as number) : 0;
        const b = prev ? (prev[x] as number) : 0;
        const c = prev && x > 0 ? (prev[x - 1] as number) : 0;
        const p = a + b - c;
        const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
        const paeth = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
        const predicted = [0, a, b, 0, paeth][type] as number;
        const v = ((row[x] as number) - predicted) & 0xff;
        score += v < 128 ? v : 256 - v;
      }
      return score;
    };
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const [width, height] = [7 + seed * 5, 9 + seed];
      // sparse bright strokes on black, like the digits: every filter wins somewhere
      const pixels = noise(width * height, seed).map((v, i) =>
        v < 150 ? 0 : (v + (i % width) * seed) & 0xff,
      );
      const { filters } = decodePng(encodeGrayscalePng(pixels, width, height));
      for (let y = 0; y < height; y++) {
        const row = pixels.subarray(y * width, (y + 1) * width);
        const prev = y > 0 ? pixels.subarray((y - 1) * width, y * width) : null;
        const candidates = prev ? [0, 1, 2, 4] : [0, 1, 4];
        const scores = candidates.map((type) => scoreOf(row, prev, type));
        const best = candidates[scores.indexOf(Math.min(...scores))];
        expect(filters[y], `seed ${seed}, row ${y}`).toBe(best);
      }
    }
  });

  it("compresses a flat image well", () => {
    const png = encodeGrayscalePng(new Uint8Array(256 * 256), 256, 256);
    expect(png.length).toBeLessThan(400);
  });

  it.each([
    [new Uint8Array(10), 3, 3, /width \* height = 3 \* 3 = 9 bytes, got 10/],
    [new Uint8Array(0), 0, 0, /width must be an integer from 1/],
    [new Uint8Array(6), 2.5, 2, /width must be an integer from 1.*got 2\.5/],
    [new Uint8Array(6), 3, -2, /height must be an integer from 1.*got -2/],
  ])("throws on bad arguments (%#)", (pixels, width, height, message) => {
    expect(() => encodeGrayscalePng(pixels, width, height)).toThrow(message);
  });
});

describe("grid", () => {
  /** count images, image i filled with gray level 10 * (i + 1) and a marker at its (0, 0) pixel. */
  function tiles(count: number): Uint8Array {
    const out = new Uint8Array(count * PIXELS_PER_IMAGE);
    for (let i = 0; i < count; i++) {
      out.fill(10 * (i + 1), i * PIXELS_PER_IMAGE, (i + 1) * PIXELS_PER_IMAGE);
      out[i * PIXELS_PER_IMAGE] = 1; // top-left marker
      out[i * PIXELS_PER_IMAGE + 27 * 28 + 27] = 2; // bottom-right marker
    }
    return out;
  }

  it("computes layouts", () => {
    expect(gridLayout(16)).toEqual({
      columns: 4,
      rows: 4,
      padding: 2,
      background: 255,
      tileSize: 28,
      step: 30,
      width: 118,
      height: 118,
    });
    // 64 tiles of 224 px (scale 8) on 8 columns with 2 px between them
    expect(gridLayout(64, { tileSize: 224 })).toMatchObject({
      step: 226,
      width: 1806,
      height: 1806,
    });
    expect(gridLayout(5, { columns: 2, padding: 0 })).toMatchObject({
      columns: 2,
      rows: 3,
      width: 56,
      height: 84,
    });
    expect(gridLayout(1)).toMatchObject({ columns: 1, rows: 1, width: 28, height: 28 });
    expect(gridLayout(10)).toMatchObject({ columns: 4, rows: 3 });
  });

  it("places every tile at its layout position, with padding and empty cells in the background", () => {
    const count = 5;
    const layout = gridLayout(count, { columns: 3, padding: 3, background: 77 });
    const { width, height, pixels } = decodePng(
      encodeGridPng(tiles(count), count, { columns: 3, padding: 3, background: 77 }),
    );
    expect([width, height]).toEqual([3 * 28 + 2 * 3, 2 * 28 + 3]);
    expect([width, height]).toEqual([layout.width, layout.height]);
    const at = (x: number, y: number) => pixels[y * width + x];
    for (let i = 0; i < count; i++) {
      const x0 = (i % 3) * 31;
      const y0 = Math.floor(i / 3) * 31;
      expect(at(x0, y0), `tile ${i} top-left`).toBe(1);
      expect(at(x0 + 27, y0 + 27), `tile ${i} bottom-right`).toBe(2);
      expect(at(x0 + 13, y0 + 14), `tile ${i} body`).toBe(10 * (i + 1));
    }
    expect(at(28, 0)).toBe(77); // gap right of tile 0
    expect(at(30, 0)).toBe(77);
    expect(at(31, 0)).toBe(1); // tile 1 starts after 3 padding pixels
    expect(at(0, 28)).toBe(77); // gap below tile 0
    expect(at(62 + 10, 31 + 10)).toBe(77); // empty 6th cell
    const backgroundCount = pixels.filter((p) => p === 77).length;
    expect(backgroundCount).toBe(width * height - count * PIXELS_PER_IMAGE);
  });

  it("defaults to ceil(sqrt(n)) columns and a single row when columns >= count", () => {
    expect(decodePng(encodeGridPng(tiles(9), 9)).width).toBe(3 * 28 + 2 * 2);
    const wide = decodePng(encodeGridPng(tiles(3), 3, { columns: 3, padding: 0 }));
    expect([wide.width, wide.height]).toEqual([84, 28]);
    expect(
      Buffer.from(wide.pixels.subarray(0, 28)).equals(Buffer.from(tiles(3).subarray(0, 28))),
    ).toBe(true);
  });

  it.each([
    [new Uint8Array(783), 1, {}, /count \* 784 = 784 bytes \(1 images of 28x28\), got 783/],
    [new Uint8Array(784 * 2), 3, {}, /= 2352 bytes.*got 1568/],
    [new Uint8Array(0), 0, {}, /count must be a positive integer, got 0/],
    [new Uint8Array(784), 1, { columns: 0 }, /columns must be a positive integer, got 0/],
    [new Uint8Array(784), 1, { padding: -1 }, /padding must be a non-negative integer, got -1/],
    [
      new Uint8Array(784),
      1,
      { background: 256 },
      /background must be an integer gray level 0\.\.255, got 256/,
    ],
  ])("throws on bad arguments (%#)", (images, count, options, message) => {
    expect(() => encodeGridPng(images, count, options)).toThrow(message);
  });
});

describe("encodeGrayscalePng row filters", () => {
  /** The filter a full search picks for each row (smallest sum of |residual|, first on ties). */
  function searchedFilters(pixels: Uint8Array, width: number, height: number, bpp = 1): number[] {
    const types: number[] = [];
    for (let y = 0; y < height; y++) {
      let best = 0;
      let bestScore = Number.POSITIVE_INFINITY;
      for (const type of [0, 1, 2, 4]) {
        if (type === 2 && y === 0) continue;
        let score = 0;
        for (let x = 0; x < width * bpp; x++) {
          const at = (yy: number, xx: number) =>
            yy < 0 || xx < 0 ? 0 : (pixels[yy * width * bpp + xx] as number);
          const [a, b, c] = [at(y, x - bpp), at(y - 1, x), at(y - 1, x - bpp)];
          const p = a + b - c;
          const paeth =
            Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c)
              ? a
              : Math.abs(p - b) <= Math.abs(p - c)
                ? b
                : c;
          const predicted = type === 0 ? 0 : type === 1 ? a : type === 2 ? b : paeth;
          const v = (at(y, x) - predicted) & 0xff;
          score += v < 128 ? v : 256 - v;
        }
        if (score < bestScore) {
          bestScore = score;
          best = type;
        }
      }
      types.push(best);
    }
    return types;
  }

  it("picks, on an upscaled image with repeated and all-zero rows, the filters a full search picks", () => {
    // 4x upscaled 8x6 pattern: blocks of equal rows, a black band, and varied rows
    const width = 32;
    const height = 24;
    const pixels = new Uint8Array(width * height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const [by, bx] = [y >> 2, x >> 2];
        pixels[y * width + x] = by === 2 ? 0 : (by * 37 + bx * 53) % 256;
      }
    }
    const png = encodeGrayscalePng(pixels, width, height);
    // signature (8) + IHDR chunk (25) + IDAT length and type (8); IDAT's CRC (4) and IEND (12) end it
    const raw = zlib.inflateSync(png.subarray(8 + 25 + 8, png.length - 4 - 12));
    const chosen = Array.from({ length: height }, (_, y) => raw[y * (width + 1)]);
    expect(chosen).toEqual(searchedFilters(pixels, width, height));
    expect(chosen).toContain(0); // the black band's repeated rows
    expect(chosen).toContain(2); // the other repeated rows
  });

  it("picks the searched filters of RGB and RGBA rows (left = one pixel back)", () => {
    for (const channels of [3, 4] as const) {
      const [width, height] = [23, 17];
      // sparse noise, ramps along x and rows repeated from the one above: every filter can win
      const rowBytes = width * channels;
      const pixels = noise(width * height * channels, channels).map((v, i) => {
        const [y, x] = [Math.floor(i / rowBytes), i % rowBytes];
        return y % 3 === 0 ? (v < 140 ? 0 : v) : y % 3 === 1 ? (x * 7 + y) & 0xff : 0;
      });
      for (let y = 2; y < height; y += 3) {
        pixels.copyWithin(y * rowBytes, (y - 1) * rowBytes, y * rowBytes);
      }
      const png = encodePng(pixels, width, height, channels);
      const raw = zlib.inflateSync(png.subarray(8 + 25 + 8, png.length - 4 - 12));
      const stride = width * channels + 1;
      const chosen = Array.from({ length: height }, (_, y) => raw[y * stride]);
      expect(chosen, `${channels} channels`).toEqual(
        searchedFilters(pixels, width, height, channels),
      );
      expect(new Set(chosen).size).toBeGreaterThan(1);
    }
  });
});
