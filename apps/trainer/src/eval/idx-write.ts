/**
 * Writer for unsigned-byte IDX files, the inverse of @edgegan/shared/idx's reader: synthetic
 * datasets are written in the format MNIST ships in, so every tool that reads MNIST (the
 * trainer's loadDataset included) reads them too.
 */
import { IMAGE_SIZE, NUM_CLASSES, PIXELS_PER_IMAGE } from "@edgegan/shared";

function header(dims: number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(out.buffer);
  out[2] = 0x08; // unsigned byte
  out[3] = dims.length;
  for (const [i, d] of dims.entries()) view.setUint32(4 + 4 * i, d); // big-endian
  return out;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * Encode images as an IDX3 file (magic 0x00000803, dims [count, 28, 28]).
 * @param pixels uint8 [count, 28, 28] row-major
 * @throws RangeError when pixels.length is not count * 784.
 */
export function encodeIdxImages(pixels: Uint8Array, count: number): Uint8Array {
  if (!Number.isInteger(count) || count < 0 || pixels.length !== count * PIXELS_PER_IMAGE) {
    throw new RangeError(
      `IDX images need count * ${PIXELS_PER_IMAGE} pixels; got ${pixels.length} for count ${count}`,
    );
  }
  return concat(header([count, IMAGE_SIZE, IMAGE_SIZE]), pixels);
}

/**
 * Encode labels as an IDX1 file (magic 0x00000801, dims [count]).
 * @throws RangeError when a label is not in 0..NUM_CLASSES-1.
 */
export function encodeIdxLabels(labels: Uint8Array): Uint8Array {
  const bad = labels.findIndex((l) => l >= NUM_CLASSES);
  if (bad >= 0) {
    throw new RangeError(`label at index ${bad} is ${labels[bad]}, expected 0..${NUM_CLASSES - 1}`);
  }
  return concat(header([labels.length]), labels);
}
