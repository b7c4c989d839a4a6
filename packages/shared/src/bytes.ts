/**
 * Byte arrays joined end to end: the PNG encoder's chunks, the decoder's IDAT parts and the IDX
 * writer's header + data all need it, and none of them should own it (the decoder checks the
 * encoder, so it shares no PNG code with it).
 */

/** The parts, one after the other, in one new array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
