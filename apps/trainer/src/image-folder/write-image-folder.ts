/**
 * Writes a labelled dataset out as an image folder (one subfolder of 8-bit grayscale PNGs per
 * class), the layout `--dataset folder:DIR` reads. Used to show the folder path end to end on a
 * dataset whose IDX figures are known (Fashion-MNIST), and by the loader's benchmark.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PIXELS_PER_IMAGE, toPixel } from "@edgegan/shared";
import { encodeGrayscalePng } from "@edgegan/shared/png";
import { loadDataset, type Split } from "../dataset.ts";

/** A class name as a folder name: path separators and leading dots replaced by "-". */
export function folderNameOf(className: string): string {
  return className.replace(/[/\\]/g, "-").replace(/^\./, "-");
}

/**
 * Write every image of `splits` of `dataset` to DIR/<class>/<split>-<index>.png.
 * @returns the number of files written
 */
export function writeImageFolder(
  dataset: string,
  dir: string,
  splits: readonly Split[] = ["train", "test"],
): number {
  let written = 0;
  for (const split of splits) {
    const data = loadDataset(dataset, split);
    const folders = data.classNames.map((name) => join(dir, folderNameOf(name)));
    for (const folder of folders) mkdirSync(folder, { recursive: true });
    const pixels = new Uint8Array(PIXELS_PER_IMAGE);
    for (let i = 0; i < data.count; i++) {
      for (let p = 0; p < PIXELS_PER_IMAGE; p++) {
        pixels[p] = toPixel(data.images[i * PIXELS_PER_IMAGE + p] as number);
      }
      const file = `${split}-${String(i).padStart(5, "0")}.png`;
      writeFileSync(
        join(folders[data.labels[i] as number] as string, file),
        encodeGrayscalePng(pixels, 28, 28),
      );
      written++;
    }
  }
  return written;
}
