/** The eval picture: a row per class, wrong readings framed with the read digit drawn under them. */
import { PIXELS_PER_IMAGE } from "@edgegan/shared";
import { describe, expect, it } from "vitest";
import { drawDigit } from "./digit-glyphs.ts";
import { renderEvalPicture } from "./eval-picture.ts";

describe("renderEvalPicture", () => {
  it("frames only the wrong readings and writes the read class under them", () => {
    const labels = Uint8Array.from([0, 0, 1, 1]);
    const predictions = Uint8Array.from([0, 7, 1, 1]);
    const images = new Float32Array(4 * PIXELS_PER_IMAGE).fill(-1); // black tiles
    const p = renderEvalPicture(images, labels, predictions, 3);
    expect(p.wrong).toEqual([[0, 1, 7]]);
    expect(Array.from(p.png.subarray(1, 4))).toEqual([80, 78, 71]); // "PNG"
    // the frame ring around tile (row 0, col 1) is gray; around (row 0, col 0) it is white
    const at = (x: number, y: number) => p.canvas[y * p.width + x];
    const header = 3 * 2 + 2 * 3; // glyph width * scale + 2 * pad
    const x1 = header + 31;
    expect(at(x1 - 1, 3 + 10)).toBe(128);
    expect(at(header - 1, 3 + 10)).toBe(255);
    // under the wrong tile: ink of the digit 7 (its top row is 3 font pixels wide)
    const caption = p.canvas.subarray((3 + 28 + 2) * p.width, (3 + 28 + 3) * p.width);
    expect(caption.slice(x1, x1 + 28).includes(0)).toBe(true);
    expect(caption.slice(header, header + 28).includes(0)).toBe(false);
  });

  it("draws the closest pairs below a rule, sample over training image", () => {
    const labels = Uint8Array.from([0]);
    const images = new Float32Array(PIXELS_PER_IMAGE).fill(-1);
    const pair = (value: number) => ({
      sample: 0,
      train: 5,
      space: "pixels" as const,
      distance: 0,
      sampleImage: new Float32Array(PIXELS_PER_IMAGE).fill(value),
      trainImage: new Float32Array(PIXELS_PER_IMAGE).fill(-value),
    });
    const without = renderEvalPicture(images, labels, labels, 2);
    const p = renderEvalPicture(images, labels, labels, 2, [pair(1), pair(-1), pair(1)]);
    expect(p.pairs.drawn).toBe(2); // no more than the columns
    expect(p.height).toBe(without.height + 3 + 57 + 3); // rule gap, two tiles + 1 px, pad
    const at = (x: number, y: number) => p.canvas[y * p.width + x];
    const x0 = 3 * 2 + 2 * 3;
    expect(at(x0 + 5, p.pairs.y + 5)).toBe(255); // sample of pair 1: white
    expect(at(x0 + 5, p.pairs.y + 29 + 5)).toBe(0); // its training image: black
    expect(at(x0 + 31 + 5, p.pairs.y + 5)).toBe(0); // pair 2 the other way round
    expect(at(x0 + 5, p.pairs.y - 3)).toBe(128); // the rule
  });

  it("refuses mismatched arrays", () => {
    expect(() =>
      renderEvalPicture(new Float32Array(784), Uint8Array.from([0]), new Uint8Array(2)),
    ).toThrow(/need 1 predictions/);
  });
});

describe("drawDigit", () => {
  it("draws a 3x5 glyph (1: a vertical bar with a foot) and refuses non-digits", () => {
    const canvas = new Uint8Array(3 * 5).fill(255);
    drawDigit(canvas, 3, 1, 0, 0);
    const rows = Array.from({ length: 5 }, (_, r) =>
      Array.from(canvas.subarray(r * 3, r * 3 + 3), (v) => (v ? "." : "#")).join(""),
    );
    expect(rows).toEqual([".#.", "##.", ".#.", ".#.", "###"]);
    expect(() => drawDigit(canvas, 3, 10, 0, 0)).toThrow(/digits 0..9/);
  });
});
