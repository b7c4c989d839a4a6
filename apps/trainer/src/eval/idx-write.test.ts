/** IDX writing round-trips through the shared reader; refusals name what was wrong. */
import { parseIdxImages, parseIdxLabels } from "@edgegan/shared/idx";
import { describe, expect, it } from "vitest";
import { encodeIdxImages, encodeIdxLabels } from "./idx-write.ts";

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
