import { describe, expect, it } from "vitest";
import { gatherRows } from "./gather.ts";

describe("gatherRows", () => {
  it("picks rows in the given order, repeats allowed, keeping the array type", () => {
    const data = Float32Array.from([0, 1, 10, 11, 20, 21]); // 3 rows of 2
    const out = gatherRows(data, 2, [2, 0, 2]);
    expect(out).toBeInstanceOf(Float32Array);
    expect(Array.from(out)).toEqual([20, 21, 0, 1, 20, 21]);
    expect(Array.from(gatherRows(Uint8Array.from([7, 8, 9]), 1, Uint32Array.from([1])))).toEqual([
      8,
    ]);
  });

  it("refuses an index outside the data, naming it", () => {
    expect(() => gatherRows(new Uint8Array(4), 2, [0, 2])).toThrow(
      /row index 2 at position 1 is outside 0..1/,
    );
  });
});
