/**
 * Base64 without Buffer: `btoa`/`atob` exist in Node (>= 16) and workerd alike.
 * Used to inline PNGs in JSON responses as data URLs.
 */

/** Bytes per btoa call; a multiple of 3 so the pieces concatenate into one valid base64 text. */
const CHUNK = 3 * 8192;

/**
 * Standard base64 (with padding) of `bytes`. Works in chunks so that no giant binary string
 * or argument list is built.
 * @example bytesToBase64(new TextEncoder().encode("hi")) // "aGk="
 */
export function bytesToBase64(bytes: Uint8Array): string {
  const pieces: string[] = [];
  for (let start = 0; start < bytes.length; start += CHUNK) {
    const part = bytes.subarray(start, start + CHUNK);
    let binary = "";
    for (let i = 0; i < part.length; i++) binary += String.fromCharCode(part[i] as number);
    pieces.push(btoa(binary));
  }
  return pieces.join("");
}

/**
 * Decode standard base64 (padding optional, no whitespace) to bytes.
 * @throws Error saying the text is not valid base64.
 */
export function base64ToBytes(text: string): Uint8Array {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    throw new Error(
      `not valid base64 (length ${text.length}): expected characters A-Z a-z 0-9 + / and = padding`,
    );
  }
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** A `data:image/png;base64,...` URL for PNG bytes (e.g. for an <img src> in a JSON response). */
export function pngDataUrl(bytes: Uint8Array): string {
  return `data:image/png;base64,${bytesToBase64(bytes)}`;
}
