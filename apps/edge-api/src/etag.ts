/**
 * Strong ETags for deterministic responses, and If-None-Match matching.
 *
 * A seeded answer's bytes are a function of the model (its sha256 and version) and the
 * normalised query, so the tag is a digest of exactly those, computed before inference: a
 * matching If-None-Match is answered 304 without running the model, and a new model gives new
 * tags for every URL.
 */

/** Everything that determines a seeded answer's bytes. */
export interface AnswerIdentity {
  modelSha256: string;
  modelVersion: string;
  /** The normalised query, in one canonical spelling (see canonicalSampleKey). */
  query: string;
}

/** Strong ETag `"<first 32 hex digits of SHA-256>"` of an answer's identity. */
export async function answerEtag(identity: AnswerIdentity): Promise<string> {
  const text = `${identity.modelSha256}|${identity.modelVersion}|${identity.query}`;
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)),
  );
  const hex = Array.from(digest.subarray(0, 16), (b) => b.toString(16).padStart(2, "0")).join("");
  return `"${hex}"`;
}

/**
 * Whether an If-None-Match header matches an ETag (weak comparison, RFC 9110 13.1.2).
 * @example ifNoneMatchHits('W/"a", "b"', '"b"') // true
 */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  const bare = etag.replace(/^W\//, "");
  return header.split(",").some((tag) => tag.trim().replace(/^W\//, "") === bare);
}
