import * as zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { crc32, crc32c } from "./crc32.ts";

describe("crc32", () => {
  it("gives the standard check value for '123456789'", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it("matches node:zlib.crc32 on random data and chains across pieces", () => {
    const data = new Uint8Array(5000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
    expect(crc32(data)).toBe(zlib.crc32(data));
    expect(crc32(data.subarray(1234), crc32(data.subarray(0, 1234)))).toBe(zlib.crc32(data));
  });
});

describe("crc32c", () => {
  it("gives the Castagnoli check value for '123456789' and chains across pieces", () => {
    const digits = new TextEncoder().encode("123456789");
    expect(crc32c(digits)).toBe(0xe3069283);
    expect(crc32c(digits.subarray(4), crc32c(digits.subarray(0, 4)))).toBe(0xe3069283);
  });
});
