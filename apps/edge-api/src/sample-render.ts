/**
 * Turns generator output into response bodies: a JSON document with one PNG data URL per image,
 * or one PNG grid. Pure functions of their inputs, so equal requests give equal bytes.
 */
import { IMAGE_SIZE, type ModelManifest, PIXELS_PER_IMAGE, toPixels } from "@edgegan/shared";
import { pngDataUrl } from "@edgegan/shared/base64";
import {
  encodeGrayscalePng,
  encodeGridPng,
  type GridLayout,
  gridLayout,
} from "@edgegan/shared/png";
import type { SampleDocument } from "@edgegan/shared/sample-document";
import type { PlannedImage } from "@edgegan/shared/sample-plan";
import type { SampleQuery } from "@edgegan/shared/sample-query";
import { styleTiles } from "@edgegan/shared/tile-style";

/** The drawing options of an answer (from the query). */
export type SampleStyle = Pick<SampleQuery, "scale" | "invert" | "columns" | "padding">;

/** The sprite sheet's layout for `count` tiles drawn with `style`. */
export function spriteLayout(count: number, style: SampleStyle): GridLayout {
  return gridLayout(count, {
    tileSize: IMAGE_SIZE * style.scale,
    padding: style.padding,
    ...(style.columns !== null && { columns: style.columns }),
    // lines between tiles contrast with them: white between light-on-dark, black between inverted
    background: style.invert ? 0 : 255,
  });
}

/** The styled tiles of a batch: uint8 [count, 28 * scale, 28 * scale]. */
function styledTiles(output: Float32Array, count: number, style: SampleStyle): Uint8Array {
  return styleTiles(toPixels(output.subarray(0, count * PIXELS_PER_IMAGE)), count, style);
}

/**
 * Build the JSON document.
 * @param output float32 [plan.length, 1, 28, 28] in [-1, 1]
 */
export function renderSampleJson(
  manifest: ModelManifest,
  query: Pick<SampleQuery, "count" | "label"> & SampleStyle,
  seed: number,
  plan: readonly PlannedImage[],
  output: Float32Array,
): Uint8Array {
  const layout = spriteLayout(plan.length, query);
  const { tileSize, step, columns } = layout;
  const tiles = styledTiles(output, plan.length, query);
  const tilePixels = tileSize * tileSize;
  const doc: SampleDocument = {
    model: { version: manifest.version, sha256: manifest.onnx.sha256 },
    seed,
    count: query.count,
    label: query.label ?? null,
    scale: query.scale,
    invert: query.invert,
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
        encodeGrayscalePng(
          tiles.subarray(item.index * tilePixels, (item.index + 1) * tilePixels),
          tileSize,
          tileSize,
        ),
      ),
    })),
  };
  return new TextEncoder().encode(JSON.stringify(doc));
}

/**
 * Build one PNG sprite sheet of all images (row-major, in plan order), drawn with `style`.
 * @param output float32 [count, 1, 28, 28] in [-1, 1]
 */
export function renderSamplePng(
  output: Float32Array,
  count: number,
  style: SampleStyle,
): Uint8Array {
  const layout = spriteLayout(count, style);
  return encodeGridPng(styledTiles(output, count, style), count, layout);
}
