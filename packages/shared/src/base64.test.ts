import { describe, expect, it } from "vitest";
import { base64ToBytes, bytesToBase64, pngDataUrl } from "./base64.ts";

const nodeBase64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

describe("bytesToBase64", () => {
  it.each([
    ["", ""],
    ["f", "Zg=="],
    ["fo", "Zm8="],
    ["foo", "Zm9v"],
    ["foobar", "Zm9vYmFy"],
  ])("RFC 4648 vector %j -> %j", (text, expected) => {
    expect(bytesToBase64(new TextEncoder().encode(text))).toBe(expected);
  });

  it("matches Buffer on all byte values and across chunk boundaries", () => {
    for (const n of [255, 256, 24575, 24576, 24577, 24578, 100_001]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 97 + (i >> 8)) & 0xff);
      expect(bytesToBase64(bytes)).toBe(nodeBase64(bytes));
    }
  });

  it("round-trips through base64ToBytes", () => {
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 13) & 0xff);
    expect(Array.from(base64ToBytes(bytesToBase64(bytes)))).toEqual(Array.from(bytes));
  });

  it("base64ToBytes refuses invalid text", () => {
    expect(() => base64ToBytes("@@@")).toThrow(/not valid base64/);
  });
});

describe("pngDataUrl", () => {
  it("prefixes the PNG media type", () => {
    expect(pngDataUrl(Uint8Array.from([0x89, 0x50, 0x4e, 0x47]))).toBe(
      "data:image/png;base64,iVBORw==",
    );
  });
});
