/**
 * Reader and writer for IDX files, the format of MNIST and Fashion-MNIST (plain or gzipped). The
 * writer (unsigned-byte images and labels) lets synthetic datasets ship in the format every MNIST
 * tool reads, the trainer's loader included.
 *
 * The trainer feeds it bytes it read itself (this module touches no file system), so it runs
 * in Node and workerd alike. Every refusal names the file and says what was expected and what
 * was found, because a truncated download should be a one-line diagnosis, not a NaN loss.
 *
 * IDX layout: magic = 0x00 0x00 <type> <number of dims>, then one big-endian uint32 per
 * dimension, then the data in row-major order. Only type 0x08 (unsigned byte) is read.
 */
import { gunzipSync } from "fflate";
import { concatBytes } from "./bytes.ts";
import { IMAGE_SIZE, NUM_CLASSES, PIXELS_PER_IMAGE } from "./contract.ts";
import { crc32 } from "./crc32.ts";

/** A parsed IDX file: its dimensions and its data (a view into the input or the gunzipped bytes). */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** IDX images: `count` grayscale 28x28 images; pixels row-major uint8 [count, 28, 28]. */
export interface IdxImages {
  count: number;
  pixels: Uint8Array;
}

/** IDX labels: `count` class labels in 0..NUM_CLASSES-1, uint8 [count]. */
export interface IdxLabels {
  count: number;
  labels: Uint8Array;
}

const IDX_TYPE_NAMES: Record<number, string> = {
  8: "unsigned byte",
  9: "signed byte",
  11: "int16",
  12: "int32",
  13: "float32",
  14: "float64",
};

const hex = (n: number, digits = 8) => `0x${n.toString(16).padStart(digits, "0")}`;
const u32be = (b: Uint8Array, at: number) =>
  (((b[at] as number) << 24) |
    ((b[at + 1] as number) << 16) |
    ((b[at + 2] as number) << 8) |
    (b[at + 3] as number)) >>>
  0;

const u32le = (b: Uint8Array, at: number) =>
  ((b[at] as number) |
    ((b[at + 1] as number) << 8) |
    ((b[at + 2] as number) << 16) |
    ((b[at + 3] as number) << 24)) >>>
  0;

/** True when bytes start with the gzip magic 1f 8b. */
function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Gunzip with fflate, then check the gzip trailer (CRC-32 and length mod 2^32), which fflate
 * does not verify. Single-member gzip only (what MNIST ships).
 * @throws Error naming the file when the stream is corrupt or truncated.
 */
function gunzipChecked(bytes: Uint8Array, fileName: string): Uint8Array {
  let out: Uint8Array;
  try {
    out = gunzipSync(bytes);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `${fileName}: corrupt or truncated gzip data (${reason}); the file has ${bytes.length} bytes`,
    );
  }
  const n = bytes.length;
  const trailerCrc = u32le(bytes, n - 8);
  const trailerSize = u32le(bytes, n - 4);
  if (trailerSize !== out.length % 2 ** 32) {
    throw new Error(
      `${fileName}: corrupt or truncated gzip data: trailer says ${trailerSize} bytes uncompressed, got ${out.length}`,
    );
  }
  const actualCrc = crc32(out);
  if (trailerCrc !== actualCrc) {
    throw new Error(
      `${fileName}: corrupt gzip data: CRC-32 expected ${hex(trailerCrc)} (from the trailer), got ${hex(actualCrc)}`,
    );
  }
  return out;
}

/**
 * Parse an unsigned-byte IDX file, gunzipping first when it starts with the gzip magic (1f 8b).
 *
 * @param bytes the file's bytes (plain or .gz)
 * @param fileName used only in error messages
 * @returns dims (e.g. [10000, 28, 28]) and data, a uint8 view of length product(dims)
 * @throws Error naming the file and what is wrong: bad gzip, magic not 0x000008NN,
 *   another element type, header shorter than the dims it announces, data shorter or longer
 *   than product(dims) (expected vs got).
 */
export function parseIdx(bytes: Uint8Array, fileName: string): IdxArray {
  const raw = isGzip(bytes) ? gunzipChecked(bytes, fileName) : bytes;
  if (raw.length < 4) {
    throw new Error(
      `${fileName}: not an IDX file: ${raw.length} bytes, too short for the 4-byte magic number`,
    );
  }
  const magic = u32be(raw, 0);
  const type = raw[2] as number;
  const dimCount = raw[3] as number;
  if (raw[0] !== 0 || raw[1] !== 0 || dimCount === 0) {
    throw new Error(
      `${fileName}: not an IDX file: magic number ${hex(magic)}, expected 0x0000TTDD (two zero bytes, type TT, DD >= 1 dimensions), e.g. 0x00000803 for images or 0x00000801 for labels`,
    );
  }
  if (type !== 0x08) {
    const name = IDX_TYPE_NAMES[type] ?? "unknown type";
    throw new Error(
      `${fileName}: IDX element type ${hex(type, 2)} (${name}) is not supported; only 0x08 (unsigned byte) is read`,
    );
  }
  const headerLength = 4 + 4 * dimCount;
  if (raw.length < headerLength) {
    throw new Error(
      `${fileName}: truncated IDX header: ${dimCount} dimensions need ${headerLength} header bytes, got ${raw.length}`,
    );
  }
  const dims: number[] = [];
  for (let i = 0; i < dimCount; i++) dims.push(u32be(raw, 4 + 4 * i));
  const expected = dims.reduce((a, b) => a * b, 1);
  const got = raw.length - headerLength;
  if (got !== expected) {
    const what = got < expected ? "truncated IDX data" : "IDX data longer than its dimensions";
    throw new Error(
      `${fileName}: ${what}: dimensions ${dims.join("x")} need ${expected} data bytes, got ${got}`,
    );
  }
  return { dims, data: raw.subarray(headerLength) };
}

/**
 * Parse an IDX image file (magic 0x00000803): dims [count, 28, 28].
 * @throws Error naming the file when it is not a 3-dimension unsigned-byte file of 28x28 images.
 */
export function parseIdxImages(bytes: Uint8Array, fileName: string): IdxImages {
  const { dims, data } = parseIdx(bytes, fileName);
  if (dims.length !== 3) {
    throw new Error(
      `${fileName}: expected an IDX image file (magic 0x00000803, 3 dimensions [count, ${IMAGE_SIZE}, ${IMAGE_SIZE}]), got ${dims.length} dimension(s) [${dims.join(", ")}]`,
    );
  }
  const [count, rows, cols] = dims as [number, number, number];
  if (rows !== IMAGE_SIZE || cols !== IMAGE_SIZE) {
    throw new Error(
      `${fileName}: expected ${IMAGE_SIZE}x${IMAGE_SIZE} images, got ${rows}x${cols}`,
    );
  }
  if (data.length !== count * PIXELS_PER_IMAGE)
    throw new Error(`${fileName}: internal size mismatch`);
  return { count, pixels: data };
}

/**
 * Parse an IDX label file (magic 0x00000801): dims [count], every label in 0..NUM_CLASSES-1.
 * @throws Error naming the file when it is not 1-dimensional or a label is out of range
 *   (gives the first bad index and value).
 */
export function parseIdxLabels(bytes: Uint8Array, fileName: string): IdxLabels {
  const { dims, data } = parseIdx(bytes, fileName);
  if (dims.length !== 1) {
    throw new Error(
      `${fileName}: expected an IDX label file (magic 0x00000801, 1 dimension [count]), got ${dims.length} dimensions [${dims.join(", ")}]`,
    );
  }
  for (let i = 0; i < data.length; i++) {
    if ((data[i] as number) >= NUM_CLASSES) {
      throw new Error(
        `${fileName}: label at index ${i} is ${data[i]}, expected 0..${NUM_CLASSES - 1}`,
      );
    }
  }
  return { count: dims[0] as number, labels: data };
}

// Writing

function idxHeader(dims: number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(out.buffer);
  out[2] = 0x08; // unsigned byte
  out[3] = dims.length;
  for (const [i, d] of dims.entries()) view.setUint32(4 + 4 * i, d); // big-endian
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
  return concatBytes([idxHeader([count, IMAGE_SIZE, IMAGE_SIZE]), pixels]);
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
  return concatBytes([idxHeader([labels.length]), labels]);
}
