/** cachedPer: one make per owner and key; owners do not share values. */
import { describe, expect, it } from "vitest";
import { cachedPer, type PerOwnerCache } from "./per-owner-cache.ts";

describe("cachedPer", () => {
  it("makes a value once per owner and key, and keeps owners apart", () => {
    const cache: PerOwnerCache<object, number[]> = new WeakMap();
    const [a, b] = [{}, {}];
    let made = 0;
    const make = () => [++made];
    const first = cachedPer(cache, a, "k", make);
    expect(cachedPer(cache, a, "k", make)).toBe(first);
    expect(made).toBe(1);
    expect(cachedPer(cache, a, "other", make)).toEqual([2]);
    expect(cachedPer(cache, b, "k", make)).toEqual([3]);
    expect(cachedPer(cache, a, "k", make)).toBe(first);
  });
});
