import { describe, expect, it } from "vitest";
import { hexToRgb, rgbToCss, tilePaint } from "./tile-colour.ts";

const ramp = Uint8Array.from([0, 1, 127, 128, 254, 255]);

describe("tilePaint", () => {
  it("without colours: grayscale, unchanged or 255 - v, with contrasting padding", () => {
    const plain = tilePaint({ fg: null, bg: null, invert: false });
    expect(plain.channels).toBe(1);
    expect(plain.paint(ramp)).toEqual(ramp);
    expect(plain.padding).toEqual(Uint8Array.of(255));
    const inverted = tilePaint({ fg: null, bg: null, invert: true });
    expect(Array.from(inverted.paint(ramp))).toEqual([255, 254, 128, 127, 1, 0]);
    expect(inverted.padding).toEqual(Uint8Array.of(0));
  });

  it("mixes paper into ink by intensity, channel by channel, rounding half up", () => {
    const paint = tilePaint({ fg: "FF8000", bg: "000010", invert: false });
    expect(paint.channels).toBe(3);
    const out = paint.paint(Uint8Array.of(0, 255, 128));
    expect(Array.from(out.subarray(0, 3))).toEqual([0, 0, 16]);
    expect(Array.from(out.subarray(3, 6))).toEqual([255, 128, 0]);
    // 128/255 of the way: 255 * 128 / 255 = 128, 128 * 128/255 = 64.25, 16 - 16 * 128/255 = 7.97
    expect(Array.from(out.subarray(6, 9))).toEqual([128, 64, 8]);
    expect(paint.padding).toEqual(Uint8Array.of(0, 0, 16));
  });

  it("fills in the colour not given from invert", () => {
    expect(tilePaint({ fg: "ff0000", bg: null, invert: false }).paper).toEqual([0, 0, 0]);
    expect(tilePaint({ fg: "ff0000", bg: null, invert: true }).paper).toEqual([255, 255, 255]);
    expect(tilePaint({ fg: null, bg: "00ff00", invert: true }).ink).toEqual([0, 0, 0]);
  });

  it("transparent: the ink colour everywhere, alpha = intensity", () => {
    const paint = tilePaint({ fg: "102030", bg: "transparent", invert: false });
    expect(paint.channels).toBe(4);
    expect(paint.paper).toBeNull();
    expect(Array.from(paint.paint(Uint8Array.of(0, 200)))).toEqual([
      16, 32, 48, 0, 16, 32, 48, 200,
    ]);
    expect(paint.padding).toEqual(Uint8Array.of(0, 0, 0, 0));
  });
});

describe("hex colours", () => {
  it("reads six hex digits in either case and writes them back lowercase", () => {
    expect(hexToRgb("Ff8000")).toEqual([255, 128, 0]);
    expect(rgbToCss([255, 128, 0])).toBe("#ff8000");
    expect(() => hexToRgb("#ff8000")).toThrow(/six hex digits/);
  });
});
