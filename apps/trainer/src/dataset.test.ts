import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { encodeIdxImages, encodeIdxLabels } from "@edgegan/shared/idx";
import { describe, expect, it } from "vitest";
import {
  datasetCardName,
  datasetSlug,
  fashionMnistDir,
  loadDataset,
  resolveDatasetDir,
} from "./dataset.ts";

/** Run `fn` with EDGEGAN_FASHION_MNIST_DIR pointing at `dir`. */
function withFashionDir<T>(dir: string, fn: () => T): T {
  const before = process.env.EDGEGAN_FASHION_MNIST_DIR;
  process.env.EDGEGAN_FASHION_MNIST_DIR = dir;
  try {
    return fn();
  } finally {
    if (before === undefined) delete process.env.EDGEGAN_FASHION_MNIST_DIR;
    else process.env.EDGEGAN_FASHION_MNIST_DIR = before;
  }
}

const mnistDir = resolveDatasetDir("mnist");

describe("datasets", () => {
  it("loads MNIST's test split scaled to [-1, 1] with its labels", () => {
    const data = loadDataset("mnist", "test", 100);
    expect(data.count).toBe(100);
    expect(data.images.length).toBe(100 * 784);
    expect(Array.from(data.labels.slice(0, 5))).toEqual([7, 2, 1, 0, 4]);
    expect(Math.min(...data.images)).toBe(-1);
    expect(Math.max(...data.images)).toBe(1);
    expect(data.classNames[3]).toBe("3");
  });

  it("loads Fashion-MNIST (gzipped IDX files in the Debian layout) with its class names", () => {
    // a 3-image fixture in the package's layout: t10k-{images-idx3,labels-idx1}-ubyte.gz
    const dir = mkdtempSync(join(tmpdir(), "edgegan-fashion-"));
    const pixels = new Uint8Array(3 * 784).map((_, i) => (i * 7) % 256);
    writeFileSync(join(dir, "t10k-images-idx3-ubyte.gz"), gzipSync(encodeIdxImages(pixels, 3)));
    writeFileSync(
      join(dir, "t10k-labels-idx1-ubyte.gz"),
      gzipSync(encodeIdxLabels(Uint8Array.of(9, 0, 3))),
    );
    const data = withFashionDir(dir, () => loadDataset("fashion-mnist", "test"));
    expect(data.count).toBe(3);
    expect(Array.from(data.labels)).toEqual([9, 0, 3]);
    expect(data.classNames[9]).toBe("Ankle boot");
    expect(data.classNames[0]).toBe("T-shirt/top");
    expect(data.images[1]).toBeCloseTo((7 / 255) * 2 - 1, 6);
    expect(() =>
      withFashionDir(join(dir, "absent"), () => loadDataset("fashion-mnist", "test")),
    ).toThrow(
      /Fashion-MNIST not found in .*absent\. Install it with: sudo apt-get install dataset-fashion-mnist/,
    );
  });

  // The real files come from Debian (not from npm): run when installed, say so when skipped.
  const fashionInstalled = existsSync(fashionMnistDir());
  if (!fashionInstalled) {
    console.info(
      `skipping the real Fashion-MNIST test: ${fashionMnistDir()} is absent (apt-get install dataset-fashion-mnist)`,
    );
    if (process.env.EDGEGAN_REQUIRE_OPTIONAL_DATA) {
      throw new Error(`EDGEGAN_REQUIRE_OPTIONAL_DATA is set but ${fashionMnistDir()} is absent`);
    }
  }
  it.runIf(fashionInstalled)(
    "loads the real Fashion-MNIST test split from the Debian package",
    () => {
      const data = loadDataset("fashion-mnist", "test");
      expect(data.count).toBe(10_000);
      expect(Array.from(data.labels.slice(0, 5))).toEqual([9, 2, 1, 1, 6]);
    },
  );

  it("rejects an unknown dataset name with what is accepted", () => {
    expect(() => resolveDatasetDir("cifar10")).toThrow(
      /not mnist, fashion-mnist, nor an existing directory of IDX files/,
    );
  });

  it("names the missing file and what the folder holds", () => {
    const dir = mkdtempSync(join(tmpdir(), "edgegan-ds-"));
    writeFileSync(join(dir, "readme.txt"), "x");
    expect(() => loadDataset(dir, "train")).toThrow(
      /has no train-images-idx3-ubyte .*it holds: readme.txt/,
    );
  });

  it("detects a truncated IDX file and names it", () => {
    const dir = mkdtempSync(join(tmpdir(), "edgegan-ds-"));
    const images = readFileSync(join(mnistDir, "t10k-images-idx3-ubyte"));
    writeFileSync(join(dir, "train-images-idx3-ubyte"), images.subarray(0, 16 + 784 * 10 + 100));
    writeFileSync(
      join(dir, "train-labels-idx1-ubyte"),
      readFileSync(join(mnistDir, "t10k-labels-idx1-ubyte")),
    );
    expect(() => loadDataset(dir, "train")).toThrow(new RegExp(`${dir}/train-images-idx3-ubyte`));
  });

  it("refuses image and label files of different lengths", () => {
    const dir = mkdtempSync(join(tmpdir(), "edgegan-ds-"));
    const header = (magic: number, dims: number[]) => {
      const b = Buffer.alloc(4 + dims.length * 4);
      b.writeUInt32BE(magic, 0);
      dims.forEach((d, i) => {
        b.writeUInt32BE(d, 4 + i * 4);
      });
      return b;
    };
    writeFileSync(
      join(dir, "train-images-idx3-ubyte"),
      Buffer.concat([header(0x803, [2, 28, 28]), Buffer.alloc(2 * 784)]),
    );
    writeFileSync(
      join(dir, "train-labels-idx1-ubyte"),
      Buffer.concat([header(0x801, [3]), Buffer.from([1, 2, 3])]),
    );
    expect(() => loadDataset(dir, "train")).toThrow(/has 2 images but .* has 3 labels/);
  });
});

describe("datasetSlug", () => {
  it("names a dataset in a model version without its path", () => {
    expect(datasetSlug("fashion-mnist")).toBe("fashion-mnist");
    expect(datasetSlug("folder:/data/My Photos/")).toBe("my-photos");
    expect(datasetSlug("/srv/idx/letters_v2")).toBe("letters-v2");
    expect(datasetSlug("folder:/")).toBe("data");
  });
});

describe("datasetCardName", () => {
  it("names a folder dataset by its folder's name, never its path", () => {
    expect(datasetCardName("mnist")).toBe("mnist");
    expect(datasetCardName("folder:/data/My Photos/")).toBe("My Photos");
    expect(datasetCardName("/srv/idx/letters_v2")).toBe("letters_v2");
  });
});
