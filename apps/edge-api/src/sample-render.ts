/**
 * Turns generator output into response bodies: a JSON document with one PNG data URL per image,
 * one PNG sprite sheet, or the same sheet as SVG with every tile traced into contour paths.
 * Pure functions of their inputs, so equal requests give equal bytes.
 */
import { IMAGE_SIZE, type ModelManifest, PIXELS_PER_IMAGE, toPixels } from "@edgegan/shared";
import { pngDataUrl } from "@edgegan/shared/base64";
import {
  encodeAnimatedPng,
  encodeGridPng,
  encodePng,
  type GridLayout,
  gridLayout,
  type RowFilter,
} from "@edgegan/shared/png";
import { upscaleTiles } from "@edgegan/shared/resample";
import type { SampleDocument } from "@edgegan/shared/sample-document";
import type { PlannedImage } from "@edgegan/shared/sample-plan";
import type { SampleQuery } from "@edgegan/shared/sample-query";
import { contourPath, traceContours } from "@edgegan/shared/svg-trace";
import { rgbToCss, type TilePaint, tilePaint } from "@edgegan/shared/tile-colour";

/** The drawing options of an answer (from the query). */
export type SampleStyle = Pick<
  SampleQuery,
  "scale" | "resample" | "invert" | "fg" | "bg" | "columns" | "padding" | "labels"
>;

/** The sprite sheet's layout for `count` tiles drawn with `style`: a sequence is one row by default. */
export function spriteLayout(count: number, style: SampleStyle): GridLayout {
  const columns = style.columns ?? style.labels?.length ?? null;
  return gridLayout(count, {
    tileSize: IMAGE_SIZE * style.scale,
    padding: style.padding,
    ...(columns !== null && { columns }),
    // lines between tiles contrast with them: white between light-on-dark, black between inverted
    background: style.invert ? 0 : 255,
  });
}

/** The first `count` images of the output as intensities: uint8 [count, 28, 28]. */
function intensities(output: Float32Array, count: number): Uint8Array {
  return toPixels(output.subarray(0, count * PIXELS_PER_IMAGE));
}

/** The drawn tiles of a batch: uint8 [count, 28 * scale, 28 * scale, paint.channels]. */
export function drawnTiles(
  pixels: Uint8Array,
  count: number,
  style: Pick<SampleStyle, "scale" | "resample">,
  paint: TilePaint,
) {
  return paint.paint(upscaleTiles(pixels, count, style.scale, style.resample));
}

/**
 * PNG row filters for tiles drawn with `resample`: smooth upscales change slowly from row to row,
 * so Up alone compresses them as well as the adaptive search at a fraction of its cost; nearest
 * (the default) keeps the search, and with it the bytes it always had.
 */
function rowFilter(style: Pick<SampleStyle, "resample" | "scale">): RowFilter {
  return style.resample === "nearest" || style.scale === 1 ? "adaptive" : "up";
}

/** The document's echo of the options a request set beyond the original ones (absent when default). */
function optionsEcho(query: SampleStyle & Pick<SampleQuery, "style">) {
  return {
    ...(query.labels !== null && { labels: query.labels, style: query.style }),
    ...(query.resample !== "nearest" && { resample: query.resample }),
    ...(query.fg !== null && { fg: query.fg }),
    ...(query.bg !== null && { bg: query.bg }),
  };
}

/**
 * Build the JSON document.
 * @param output float32 [plan.length, 1, 28, 28] in [-1, 1]
 */
export function renderSampleJson(
  manifest: ModelManifest,
  query: Pick<SampleQuery, "count" | "label" | "style"> & SampleStyle,
  seed: number,
  plan: readonly PlannedImage[],
  output: Float32Array,
): Uint8Array {
  const layout = spriteLayout(plan.length, query);
  const { tileSize, step, columns } = layout;
  const paint = tilePaint(query);
  const tiles = drawnTiles(intensities(output, plan.length), plan.length, query, paint);
  const tileBytes = tileSize * tileSize * paint.channels;
  const doc: SampleDocument = {
    model: { version: manifest.version, sha256: manifest.onnx.sha256 },
    seed,
    count: query.count,
    label: query.label ?? null,
    scale: query.scale,
    invert: query.invert,
    ...optionsEcho(query),
    sprite: {
      width: layout.width,
      height: layout.height,
      columns,
      rows: layout.rows,
      tileSize,
      padding: layout.padding,
    },
    images: plan.map((item) => ({
      index: item.index,
      label: item.label,
      className: manifest.dataset.classNames[item.label] ?? String(item.label),
      seed: item.seed,
      x: (item.index % columns) * step,
      y: Math.floor(item.index / columns) * step,
      png: pngDataUrl(
        encodePng(
          tiles.subarray(item.index * tileBytes, (item.index + 1) * tileBytes),
          tileSize,
          tileSize,
          paint.channels,
          rowFilter(query),
        ),
      ),
    })),
  };
  return new TextEncoder().encode(JSON.stringify(doc));
}

/** What every sheet starts from: its layout, its paint and the tiles' intensities. */
function sheetParts(output: Float32Array, count: number, style: SampleStyle) {
  return {
    layout: spriteLayout(count, style),
    paint: tilePaint(style),
    pixels: intensities(output, count),
  };
}

/**
 * Build one PNG sprite sheet of all images (row-major, in plan order), drawn with `style`:
 * grayscale, RGB with fg/bg, RGBA with bg=transparent.
 * @param output float32 [count, 1, 28, 28] in [-1, 1]
 */
export function renderSamplePng(
  output: Float32Array,
  count: number,
  style: SampleStyle,
): Uint8Array {
  const { layout, paint, pixels } = sheetParts(output, count, style);
  const tiles = drawnTiles(pixels, count, style, paint);
  return encodeGridPng(
    tiles,
    count,
    { ...layout },
    { channels: paint.channels, fill: paint.padding, filter: rowFilter(style) },
  );
}

/**
 * Build the sheet as SVG: the same layout as the PNG (size, columns, padding, colours), each
 * tile's outline traced from its 28x28 intensities (svg-trace.ts) and filled with the ink colour
 * over the paper colour; no background at all with bg=transparent.
 * @param output float32 [count, 1, 28, 28] in [-1, 1]
 */
export function renderSampleSvg(
  output: Float32Array,
  count: number,
  style: SampleStyle,
): Uint8Array {
  const { layout, paint, pixels } = sheetParts(output, count, style);
  const { width, height, columns, step, tileSize } = layout;
  // path coordinates are tenths of a source pixel
  const factor = String(style.scale / 10).replace(/^0\./, ".");
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
  ];
  if (paint.paper !== null) {
    const gray = paint.padding[0] as number;
    const fill = paint.channels === 1 ? rgbToCss([gray, gray, gray]) : rgbToCss(paint.paper);
    parts.push(`<rect width="${width}" height="${height}" fill="${fill}"/>`);
    if (paint.channels === 1) {
      // grayscale: paper tiles on contrasting lines, as in the PNG
      parts.push(`<g fill="${rgbToCss(paint.paper)}">`);
      for (let i = 0; i < count; i++) {
        parts.push(
          `<rect x="${(i % columns) * step}" y="${Math.floor(i / columns) * step}" width="${tileSize}" height="${tileSize}"/>`,
        );
      }
      parts.push("</g>");
    }
  }
  parts.push(`<g fill="${rgbToCss(paint.ink)}" fill-rule="evenodd">`);
  for (let i = 0; i < count; i++) {
    const d = contourPath(
      traceContours(pixels.subarray(i * PIXELS_PER_IMAGE, (i + 1) * PIXELS_PER_IMAGE)),
    );
    if (d === "") continue;
    const x = (i % columns) * step;
    const y = Math.floor(i / columns) * step;
    parts.push(`<path transform="translate(${x} ${y})scale(${factor})" d="${d}"/>`);
  }
  parts.push("</g></svg>");
  return new TextEncoder().encode(parts.join(""));
}

/**
 * Build an animated PNG: one frame per image, each a single tile drawn with `style` (scale,
 * resample, colours), shown 1/fps seconds, looping forever.
 * @param output float32 [frames, 1, 28, 28] in [-1, 1]
 */
export function renderAnimation(
  output: Float32Array,
  frames: number,
  style: Pick<SampleStyle, "scale" | "resample" | "invert" | "fg" | "bg">,
  fps: number,
): Uint8Array {
  const paint = tilePaint(style);
  const drawn = drawnTiles(intensities(output, frames), frames, style, paint);
  const size = IMAGE_SIZE * style.scale;
  const frameBytes = size * size * paint.channels;
  const list = Array.from({ length: frames }, (_, i) =>
    drawn.subarray(i * frameBytes, (i + 1) * frameBytes),
  );
  return encodeAnimatedPng(list, size, size, paint.channels, fps, rowFilter(style));
}
