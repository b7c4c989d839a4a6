/** TFRecord's masked CRC-32C, which frames every record of a tfevents file. */
import { crc32c } from "@edgegan/shared/crc32";

/** The CRC-32C of `bytes` rotated right by 15 bits, plus 0xa282ead8 (mod 2^32). */
export function maskedCrc32c(bytes: Uint8Array): number {
  const crc = crc32c(bytes);
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}
