import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadDataset, resolveDatasetDir } from "./dataset.ts";

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

  it("loads Fashion-MNIST from the Debian package with its class names", () => {
    const data = loadDataset("fashion-mnist", "test", 10);
    expect(data.count).toBe(10);
    expect(data.classNames[9]).toBe("Ankle boot");
  });

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
