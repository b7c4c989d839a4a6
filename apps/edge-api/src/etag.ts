/**
 * Strong ETags for deterministic responses, and If-None-Match matching.
 * The tag is a digest of the body bytes, so equal tags always mean byte-identical bodies.
 */

/** Strong ETag of a body: `"<first 32 hex digits of its SHA-256>"`. */
export async function strongEtag(body: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", body));
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
