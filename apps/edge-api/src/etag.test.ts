/** Strong ETags from body digests and If-None-Match matching. */
import { describe, expect, it } from "vitest";
import { ifNoneMatchHits, strongEtag } from "./etag.ts";

describe("strongEtag", () => {
  it("is a quoted 32-hex digest, equal for equal bytes and different for different bytes", async () => {
    const a = await strongEtag(new Uint8Array([1, 2, 3]));
    expect(a).toMatch(/^"[0-9a-f]{32}"$/);
    expect(await strongEtag(new Uint8Array([1, 2, 3]))).toBe(a);
    expect(await strongEtag(new Uint8Array([1, 2, 4]))).not.toBe(a);
  });
});

describe("ifNoneMatchHits", () => {
  it("matches a listed tag, a weak form of it, and *", () => {
    expect(ifNoneMatchHits('"x", "abc"', '"abc"')).toBe(true);
    expect(ifNoneMatchHits('W/"abc"', '"abc"')).toBe(true);
    expect(ifNoneMatchHits("*", '"abc"')).toBe(true);
  });

  it("does not match other tags or an absent header", () => {
    expect(ifNoneMatchHits('"abd"', '"abc"')).toBe(false);
    expect(ifNoneMatchHits(undefined, '"abc"')).toBe(false);
    expect(ifNoneMatchHits("", '"abc"')).toBe(false);
  });
});
