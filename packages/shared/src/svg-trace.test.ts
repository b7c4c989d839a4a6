import { describe, expect, it } from "vitest";
import { area, type Contour, contourPath, simplifyLoop, traceContours } from "./svg-trace.ts";

/** A tile of 28x28 whose pixel (x, y) is f(centre x, centre y), clamped to 0..255. */
function tile(f: (x: number, y: number) => number): Uint8Array {
  return Uint8Array.from({ length: 784 }, (_, i) => {
    const v = f((i % 28) + 0.5, Math.floor(i / 28) + 0.5);
    return Math.max(0, Math.min(255, Math.round(v)));
  });
}
/** Ink that fades linearly from 255 to 0 across 2 px at radius r around (14, 14). */
const disk = (r: number) => (x: number, y: number) =>
  (255 * (r + 1 - Math.hypot(x - 14, y - 14))) / 2;
const ring = (x: number, y: number) => Math.min(disk(9)(x, y), 255 - disk(4)(x, y));

/** Even-odd point-in-polygon over several loops. */
function inside(loops: readonly Contour[], x: number, y: number): boolean {
  let odd = false;
  for (const loop of loops) {
    const n = loop.length / 2;
    for (let k = 0, m = n - 1; k < n; m = k++) {
      const xk = loop[2 * k] as number;
      const yk = loop[2 * k + 1] as number;
      const xm = loop[2 * m] as number;
      const ym = loop[2 * m + 1] as number;
      if (yk > y !== ym > y && x < ((xm - xk) * (y - yk)) / (ym - yk) + xk) odd = !odd;
    }
  }
  return odd;
}

describe("traceContours", () => {
  it("traces a disk as one loop at the half-intensity radius", () => {
    const loops = traceContours(tile(disk(8)));
    expect(loops).toHaveLength(1);
    // the level 127.5 lies at radius 8; a 28-pixel grid's polygon is within 2% in area
    expect(Math.abs(area(loops[0] as Contour))).toBeCloseTo(Math.PI * 64, -1);
    expect(Math.abs(Math.abs(area(loops[0] as Contour)) / (Math.PI * 64) - 1)).toBeLessThan(0.02);
  });

  it("keeps the hole of a ring: inked pixel centres inside, empty ones outside (even-odd)", () => {
    const pixels = tile(ring);
    const loops = traceContours(pixels);
    expect(loops).toHaveLength(2);
    for (let i = 0; i < 784; i++) {
      const v = pixels[i] as number;
      if (v > 200 || v < 55) {
        expect(inside(loops, (i % 28) + 0.5, Math.floor(i / 28) + 0.5), `pixel ${i}`).toBe(v > 200);
      }
    }
  });

  it("resolves saddles by the cell centre and closes contours at the tile's border", () => {
    // a checkerboard corner: two diagonal inked pixels touching at a corner, and ink at the edge
    const pixels = new Uint8Array(784);
    pixels[5 * 28 + 5] = pixels[6 * 28 + 6] = 255;
    for (let y = 0; y < 28; y++) pixels[y * 28] = 255;
    const loops = traceContours(pixels);
    // the centre of the saddle cell averages to 127.5: inked, so the two pixels join into one
    expect(loops).toHaveLength(2);
    expect(inside(loops, 0.5, 14.5)).toBe(true);
  });

  it("gives no contour for an empty tile, and drops specks", () => {
    expect(traceContours(new Uint8Array(784))).toEqual([]);
    const speck = new Uint8Array(784);
    speck[100] = 140; // barely over the level: a sliver of area
    expect(traceContours(speck)).toEqual([]);
  });

  it("refuses a tile of another size", () => {
    expect(() => traceContours(new Uint8Array(100))).toThrow(/784 bytes, got 100/);
  });
});

describe("simplifyLoop and contourPath", () => {
  it("simplifies within the tolerance and keeps the area", () => {
    const [loop] = traceContours(tile(disk(10))) as [Contour];
    const simple = simplifyLoop(loop, 0.12);
    expect(simple.length).toBeLessThan(loop.length);
    expect(Math.abs(area(simple) / area(loop) - 1)).toBeLessThan(0.01);
  });

  it("writes one closed subpath per loop in compact integer tenths", () => {
    const d = contourPath(traceContours(tile(ring)));
    expect(d.match(/M/g)).toHaveLength(2);
    expect(d.match(/z/g)).toHaveLength(2);
    expect(d).toMatch(/^M\d+ \d+q[-\d ]+z/);
    expect(d).not.toMatch(/\.|-0|--/);
    expect(d.length).toBeLessThan(1200);
  });

  it("is empty for no loops", () => {
    expect(contourPath([])).toBe("");
  });
});
