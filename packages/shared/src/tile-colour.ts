/**
 * Brand colours for generated tiles: `fg` (the ink) and `bg` (the paper, or `transparent`) turn a
 * tile's intensity (0 = no ink, 255 = full ink, as the generator draws it) into pixels.
 *
 * - Neither given: grayscale as before (`invert` gives 255 - v), one byte per pixel, so answers
 *   that name no colour keep their bytes.
 * - Given: RGB, each channel bg + (fg - bg) * v / 255. What is not given follows `invert`
 *   (ink white on black, or black on white when inverted).
 * - `bg=transparent`: RGBA with the ink colour everywhere and alpha = v, so a digit sits on any
 *   background with its anti-aliased edge intact.
 * Lookup tables of 256 entries per channel: integer arithmetic only, the same bytes everywhere.
 */

/** Hex colour without `#` (URLs need no escaping), either case. */
export const HEX_COLOUR_PATTERN = /^[0-9a-fA-F]{6}$/;
/** The `bg` value that asks for an alpha channel. */
export const TRANSPARENT = "transparent";

/** What the caller asked for: hex colours (null: not given) and the inversion. */
export interface ColourRequest {
  fg: string | null;
  /** A hex colour, "transparent", or null. */
  bg: string | null;
  invert: boolean;
}

/** An RGB triple, 0..255 each. */
export type Rgb = readonly [number, number, number];

/** How intensities become pixels, and the colour of the sheet's padding. */
export interface TilePaint {
  /** Bytes per pixel: 1 gray, 3 RGB, 4 RGBA. */
  channels: 1 | 3 | 4;
  /** Ink colour and paper colour (paper null: transparent), for vector output. */
  ink: Rgb;
  paper: Rgb | null;
  /** One pixel of the padding between tiles and of empty cells, `channels` bytes. */
  padding: Uint8Array;
  /**
   * Paint intensities.
   * @param ink uint8 [n] intensities
   * @returns uint8 [n, channels]
   */
  paint(ink: Uint8Array): Uint8Array;
}

/**
 * Read a 6-digit hex colour.
 * @throws RangeError when `hex` is not six hex digits
 * @example hexToRgb("ff8000") // [255, 128, 0]
 */
export function hexToRgb(hex: string): Rgb {
  if (!HEX_COLOUR_PATTERN.test(hex)) {
    throw new RangeError(`a colour must be six hex digits such as "ff8000", got ${hex}`);
  }
  const n = Number.parseInt(hex, 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** "#rrggbb" of an RGB triple (lowercase). */
export function rgbToCss(rgb: Rgb): string {
  return `#${rgb.map((c) => c.toString(16).padStart(2, "0")).join("")}`;
}

const WHITE: Rgb = [255, 255, 255];
const BLACK: Rgb = [0, 0, 0];

/** Table of `from + (to - from) * v / 255`, rounded half up, for v in 0..255. */
function mixTable(from: number, to: number): Uint8Array {
  const table = new Uint8Array(256);
  for (let v = 0; v < 256; v++) table[v] = from + Math.floor(((to - from) * v * 2 + 255) / 510);
  return table;
}

/**
 * The paint of a request.
 * @example tilePaint({ fg: "ff8000", bg: "transparent", invert: false }).channels // 4
 */
export function tilePaint(request: ColourRequest): TilePaint {
  const { fg, bg, invert } = request;
  if (fg === null && bg === null) {
    const table = invert ? mixTable(255, 0) : null;
    return {
      channels: 1,
      ink: invert ? BLACK : WHITE,
      paper: invert ? WHITE : BLACK,
      // lines between tiles contrast with them: white between light-on-dark, black between inverted
      padding: Uint8Array.of(invert ? 0 : 255),
      paint: (ink) => (table ? ink.map((v) => table[v] as number) : ink),
    };
  }
  const ink = fg === null ? (invert ? BLACK : WHITE) : hexToRgb(fg);
  if (bg === TRANSPARENT) {
    return {
      channels: 4,
      ink,
      paper: null,
      padding: Uint8Array.of(0, 0, 0, 0),
      paint(values) {
        // one 32-bit word per pixel from a table of the 256 RGBA pixels, in the platform's byte order
        const table = new Uint32Array(256);
        const bytes = new Uint8Array(table.buffer);
        for (let v = 0; v < 256; v++) bytes.set([ink[0], ink[1], ink[2], v], v * 4);
        const out = new Uint32Array(values.length);
        for (let i = 0; i < values.length; i++) out[i] = table[values[i] as number] as number;
        return new Uint8Array(out.buffer);
      },
    };
  }
  const paper = bg === null ? (invert ? WHITE : BLACK) : hexToRgb(bg);
  const tables = [0, 1, 2].map((c) => mixTable(paper[c] as number, ink[c] as number));
  const [r, g, b] = tables as [Uint8Array, Uint8Array, Uint8Array];
  return {
    channels: 3,
    ink,
    paper,
    // a coloured sheet is one surface: the padding takes the paper colour
    padding: Uint8Array.from(paper),
    paint(values) {
      const out = new Uint8Array(values.length * 3);
      for (let i = 0; i < values.length; i++) {
        const v = values[i] as number;
        out[i * 3] = r[v] as number;
        out[i * 3 + 1] = g[v] as number;
        out[i * 3 + 2] = b[v] as number;
      }
      return out;
    },
  };
}
