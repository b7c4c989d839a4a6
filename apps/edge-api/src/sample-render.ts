/**
 * Turns generator output into response bodies: a JSON document with one PNG data URL per image,
 * or one PNG grid. Pure functions of their inputs, so equal requests give equal bytes.
 */
import { IMAGE_SIZE, type ModelManifest, PIXELS_PER_IMAGE, toPixels } from "@edgegan/shared";
import { pngDataUrl } from "@edgegan/shared/base64";
import { encodeGrayscalePng, encodeGridPng } from "@edgegan/shared/png";
import type { PlannedImage } from "@edgegan/shared/sample-plan";
import type { SampleQuery } from "@edgegan/shared/sample-query";

/** One image in the JSON response. */
export interface SampleImage {
  index: number;
  label: number;
  className: string;
  /** Regenerate exactly this image with `count=1&label=<label>&seed=<seed>`. */
  seed: number;
  png: string;
}

/** JSON body of GET /sample. */
export interface SampleDocument {
  model: { version: string; sha256: string };
  seed: number;
  count: number;
  label: number | null;
  images: SampleImage[];
}

function imagePixels(output: Float32Array, index: number): Uint8Array {
  return toPixels(output.subarray(index * PIXELS_PER_IMAGE, (index + 1) * PIXELS_PER_IMAGE));
}

/**
 * Build the JSON document.
 * @param output float32 [plan.length, 1, 28, 28] in [-1, 1]
 */
export function renderSampleJson(
  manifest: ModelManifest,
  query: Pick<SampleQuery, "count" | "label">,
  seed: number,
  plan: readonly PlannedImage[],
  output: Float32Array,
): Uint8Array {
  const doc: SampleDocument = {
    model: { version: manifest.version, sha256: manifest.onnx.sha256 },
    seed,
    count: query.count,
    label: query.label ?? null,
    images: plan.map((item) => ({
      index: item.index,
      label: item.label,
      className: manifest.dataset.classNames[item.label] ?? String(item.label),
      seed: item.seed,
      png: pngDataUrl(encodeGrayscalePng(imagePixels(output, item.index), IMAGE_SIZE, IMAGE_SIZE)),
    })),
  };
  return new TextEncoder().encode(JSON.stringify(doc));
}

/**
 * Build one PNG grid of all images (row-major, in plan order).
 * @param output float32 [count, 1, 28, 28] in [-1, 1]
 */
export function renderSamplePng(output: Float32Array, count: number): Uint8Array {
  return encodeGridPng(toPixels(output.subarray(0, count * PIXELS_PER_IMAGE)), count);
}
