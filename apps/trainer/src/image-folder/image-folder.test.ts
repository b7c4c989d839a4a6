/**
 * Folder datasets made by the test: classes from sorted folder names, the seeded held-out split,
 * exact pixels, nested folders and symlinks, and each bad input named in its error.
 */
import {
  copyFileSync,
  mkdirSync,
  readdirSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { PIXELS_PER_IMAGE } from "@edgegan/shared";
import { encodeGrayscalePng } from "@edgegan/shared/png";
import { describe, expect, it } from "vitest";
import { jpegFile, mnistImageFolder, tempFolder } from "../../test/image-folders.ts";
import { classNamesFor, loadDataset } from "../dataset.ts";
import { listImageFolder, readImageFolder } from "./image-folder.ts";

describe("listImageFolder", () => {
  it("takes sorted class folders and holds out round(n / 7) per class, the same every time", () => {
    const { dir } = mnistImageFolder({ seven: 7, one: 1, three: 3 }, 14);
    writeFileSync(join(dir, "README.txt"), "files beside the classes are ignored");
    writeFileSync(join(dir, "one", "notes.txt"), "non-image files are skipped");
    mkdirSync(join(dir, ".cache"));
    const listing = listImageFolder(dir);
    expect(listing.classNames).toEqual(["one", "seven", "three"]);
    expect(listing.test).toHaveLength(3 * 2);
    expect(listing.train).toHaveLength(3 * 12);
    expect(listImageFolder(dir)).toEqual(listing);
    const all = [...listing.train, ...listing.test].map((f) => f.path);
    expect(new Set(all).size).toBe(42);
    // the training order mixes the classes (a --limit-images prefix is not one class)
    expect(new Set(listing.train.slice(0, 8).map((f) => f.label)).size).toBeGreaterThan(1);
    expect(classNamesFor(`folder:${dir}`)).toEqual(["one", "seven", "three"]);
  });

  it("finds images in nested folders and through symlinks, in PNG and JPEG", () => {
    const { dir } = mnistImageFolder({ a: 0, b: 1 }, 3);
    mkdirSync(join(dir, "a", "more", "deeper"), { recursive: true });
    copyFileSync(join(dir, "a", "000.png"), join(dir, "a", "more", "deeper", "x.PNG"));
    const elsewhere = tempFolder("elsewhere");
    writeFileSync(join(elsewhere, "photo.jpeg"), jpegFile(28, 28));
    symlinkSync(elsewhere, join(dir, "b", "linked"));
    const listing = listImageFolder(dir);
    const paths = [...listing.train, ...listing.test].map((f) => f.path);
    expect(paths).toContain(join(dir, "a", "more", "deeper", "x.PNG"));
    expect(paths).toContain(join(dir, "b", "linked", "photo.jpeg"));
    expect(readImageFolder(dir).train.count + readImageFolder(dir).test.count).toBe(8);
  });
});

describe("loadDataset on folder:DIR", () => {
  it("gives back each PNG's pixels exactly, with its class label, in both splits", () => {
    const { dir, written } = mnistImageFolder({ zero: 0, one: 1 }, 7);
    const listing = listImageFolder(dir);
    const train = loadDataset(`folder:${dir}`, "train");
    const test = loadDataset(`folder:${dir}`, "test");
    expect([train.count, test.count]).toEqual([12, 2]);
    expect(train.classNames).toEqual(["one", "zero"]);
    for (const [split, files] of [
      [train, listing.train],
      [test, listing.test],
    ] as const) {
      files.forEach(({ path, label }, i) => {
        expect(split.labels[i]).toBe(label);
        const image = split.images.subarray(i * PIXELS_PER_IMAGE, (i + 1) * PIXELS_PER_IMAGE);
        const pixels = Uint8Array.from(image, (v) => Math.round((v + 1) * 127.5));
        expect(pixels, path).toEqual(written.get(path));
      });
    }
    expect(loadDataset(`folder:${dir}`, "train", 5).count).toBe(5);
  });
});

describe("bad folders get an error naming the file or folder", () => {
  const folder = () => mnistImageFolder({ a: 0, b: 1 }, 3).dir;

  it("an empty class, and a class of one image", () => {
    const dir = folder();
    mkdirSync(join(dir, "c"));
    expect(() => listImageFolder(dir)).toThrow(
      new RegExp(`class folder ${join(dir, "c")} holds no PNG or JPEG file`),
    );
    copyFileSync(join(dir, "a", "000.png"), join(dir, "c", "only.png"));
    expect(() => listImageFolder(dir)).toThrow(/holds only one PNG or JPEG file/);
  });

  it("an 11th class", () => {
    const dir = tempFolder("eleven");
    for (let c = 0; c < 11; c++) mkdirSync(join(dir, `class-${String(c).padStart(2, "0")}`));
    expect(() => listImageFolder(dir)).toThrow(
      new RegExp(
        `11 class folders.*at most 10.*the 11th in sorted order is ${join(dir, "class-10")}`,
      ),
    );
  });

  it("a truncated image and one that is not an image", () => {
    const dir = folder();
    const victim = join(dir, "b", "001.png");
    truncateSync(victim, 100);
    expect(() => readImageFolder(dir)).toThrow(new RegExp(`${victim}: truncated`));
    writeFileSync(victim, "not an image at all");
    expect(() => readImageFolder(dir)).toThrow(new RegExp(`${victim}: neither a PNG nor a JPEG`));
    writeFileSync(victim, jpegFile(28, 28).subarray(0, 300));
    expect(() => readImageFolder(dir)).toThrow(new RegExp(`${victim}: truncated JPEG`));
  });

  it("an unreadable image", () => {
    const dir = folder();
    symlinkSync(join(dir, "nowhere.png"), join(dir, "a", "dangling.png"));
    expect(() => listImageFolder(dir)).toThrow(
      new RegExp(`${join(dir, "a", "dangling.png")} cannot be read \\(ENOENT\\)`),
    );
  });

  it("a mix of sizes, naming both files", () => {
    const dir = folder();
    const odd = join(dir, "b", "wide.png");
    writeFileSync(odd, encodeGrayscalePng(new Uint8Array(30 * 28), 30, 28));
    expect(() => readImageFolder(dir)).toThrow(
      new RegExp(`${odd} is 30x28, but .*\\.png is 28x28: every image .* same size`),
    );
  });

  it("a symlink loop", () => {
    const dir = folder();
    symlinkSync(join(dir, "a"), join(dir, "a", "again"));
    expect(() => listImageFolder(dir)).toThrow(
      new RegExp(`symlink loop: ${join(dir, "a", "again")} leads back to`),
    );
    expect(readdirSync(join(dir, "a"))).toContain("again");
  });

  it("no class folders at all, and a path that is not a folder", () => {
    const dir = tempFolder("flat");
    writeFileSync(join(dir, "x.png"), encodeGrayscalePng(new Uint8Array(784), 28, 28));
    expect(() => listImageFolder(dir)).toThrow(/holds no class folders/);
    expect(() => listImageFolder(join(dir, "x.png"))).toThrow(/is not a folder/);
    expect(() => listImageFolder(join(dir, "missing"))).toThrow(/cannot be read \(ENOENT\)/);
  });
});
