/** PNG and JPEG told apart by signature; broken files named as such. */
import { encodeGrayscalePng } from "@edgegan/shared/png";
import { describe, expect, it } from "vitest";
import { jpegFile } from "../../test/image-folders.ts";
import { decodeImage } from "./decode-image.ts";

describe("decodeImage", () => {
  it("reads a PNG and a JPEG by their signatures", () => {
    const png = decodeImage(encodeGrayscalePng(Uint8Array.from([1, 2, 3, 4]), 2, 2));
    expect(png).toMatchObject({ width: 2, height: 2, channels: 1 });
    const jpg = decodeImage(jpegFile());
    expect(jpg).toMatchObject({ width: 16, height: 8, channels: 3 });
    expect(jpg.pixels[0]).toBeLessThan(10);
    expect(jpg.pixels[3 * 15]).toBeGreaterThan(245);
  });

  it("says what is wrong with a truncated JPEG, an empty file and another format", () => {
    const jpg = jpegFile();
    expect(() => decodeImage(jpg.subarray(0, jpg.length - 40))).toThrow(/truncated JPEG/);
    expect(() => decodeImage(new Uint8Array(0))).toThrow(/empty file/);
    expect(() => decodeImage(new TextEncoder().encode("GIF89a..."))).toThrow(
      /neither a PNG nor a JPEG/,
    );
  });
});
