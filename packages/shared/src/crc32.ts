/**
 * CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the checksum of PNG chunks and of gzip
 * members, and CRC-32C (Castagnoli, 0x82F63B78), the checksum of TFRecord files (TensorBoard's
 * event logs). Own tables so they run the same in Node and workerd without `node:zlib`.
 */

/** The byte-at-a-time table of a reflected CRC-32 polynomial. */
function crcTable(polynomial: number): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? polynomial ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

const CRC32 = crcTable(0xedb88320);
const CRC32C = crcTable(0x82f63b78);

function update(table: Uint32Array, bytes: Uint8Array, previous: number): number {
  let c = ~previous >>> 0;
  for (let i = 0; i < bytes.length; i++)
    c = (table[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return ~c >>> 0;
}

/**
 * CRC-32 of `bytes`, continuing from `previous` (the CRC of the bytes before them; 0 to start),
 * so `crc32(b, crc32(a))` equals the CRC of a followed by b. Returns a uint32.
 * @example crc32(new TextEncoder().encode("123456789")) // 0xcbf43926
 */
export function crc32(bytes: Uint8Array, previous = 0): number {
  return update(CRC32, bytes, previous);
}

/**
 * CRC-32C of `bytes`, continuing from `previous` as {@link crc32} does. Returns a uint32.
 * @example crc32c(new TextEncoder().encode("123456789")) // 0xe3069283
 */
export function crc32c(bytes: Uint8Array, previous = 0): number {
  return update(CRC32C, bytes, previous);
}
