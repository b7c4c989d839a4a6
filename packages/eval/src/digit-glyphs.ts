/**
 * A 3x5 bitmap font for the digits 0-9, drawn into grayscale canvases: the eval picture writes
 * the class the classifier read under each wrong sample without a font library.
 */

/** Rows of each digit, 3 bits per row (MSB = left column), 5 rows. */
const GLYPHS: readonly (readonly number[])[] = [
  [0b111, 0b101, 0b101, 0b101, 0b111],
  [0b010, 0b110, 0b010, 0b010, 0b111],
  [0b111, 0b001, 0b111, 0b100, 0b111],
  [0b111, 0b001, 0b111, 0b001, 0b111],
  [0b101, 0b101, 0b111, 0b001, 0b001],
  [0b111, 0b100, 0b111, 0b001, 0b111],
  [0b111, 0b100, 0b111, 0b101, 0b111],
  [0b111, 0b001, 0b001, 0b001, 0b001],
  [0b111, 0b101, 0b111, 0b101, 0b111],
  [0b111, 0b101, 0b111, 0b001, 0b111],
];

export const GLYPH_WIDTH = 3;
export const GLYPH_HEIGHT = 5;

/**
 * Draw digit `digit` with its top-left corner at (x, y), each font pixel a `scale` x `scale`
 * square of gray level `ink`. Pixels outside the canvas are skipped.
 * @param canvas uint8 [height, width] row-major
 * @throws RangeError when digit is not an integer in 0..9.
 */
export function drawDigit(
  canvas: Uint8Array,
  width: number,
  digit: number,
  x: number,
  y: number,
  { scale = 1, ink = 0 } = {},
): void {
  const rows = GLYPHS[digit];
  if (!rows || !Number.isInteger(digit))
    throw new RangeError(`no glyph for ${digit}: digits 0..9 only`);
  const height = canvas.length / width;
  rows.forEach((bits, r) => {
    for (let c = 0; c < GLYPH_WIDTH; c++) {
      if (!(bits & (1 << (GLYPH_WIDTH - 1 - c)))) continue;
      for (let dy = 0; dy < scale; dy++) {
        for (let dx = 0; dx < scale; dx++) {
          const px = x + c * scale + dx;
          const py = y + r * scale + dy;
          if (px >= 0 && px < width && py >= 0 && py < height) canvas[py * width + px] = ink;
        }
      }
    }
  });
}
