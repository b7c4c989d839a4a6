/** Strong ETags from what determines an answer, and If-None-Match matching. */
import { describe, expect, it } from "vitest";
import { answerEtag, ifNoneMatchHits } from "./etag.ts";

describe("answerEtag", () => {
  const identity = { modelSha256: "a".repeat(64), modelVersion: "v1", query: "count=4&seed=1" };

  it("is a quoted 32-hex digest, equal for an equal identity", async () => {
    const tag = await answerEtag(identity);
    expect(tag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(await answerEtag({ ...identity })).toBe(tag);
  });

  it("changes with the model's bytes, its version, and the query", async () => {
    const tag = await answerEtag(identity);
    expect(await answerEtag({ ...identity, modelSha256: "b".repeat(64) })).not.toBe(tag);
    expect(await answerEtag({ ...identity, modelVersion: "v2" })).not.toBe(tag);
    expect(await answerEtag({ ...identity, query: "count=4&seed=2" })).not.toBe(tag);
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
