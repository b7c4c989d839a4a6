/**
 * Just enough of the protobuf wire format to write TensorFlow's Event and Summary messages:
 * varints, 64-bit doubles, 32-bit floats and length-delimited fields (strings, bytes, nested
 * messages). A message is built as a list of encoded fields and joined once.
 */

/** Wire types. */
const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

const encoder = new TextEncoder();

function varint(value: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

const key = (field: number, wireType: number) => varint((field << 3) | wireType);

/** Builds one message's bytes, field by field, in the order they are added. */
export class ProtoMessage {
  private readonly parts: Uint8Array[] = [];

  /** int32 / int64 / enum field (negative numbers as 10-byte two's complement, as protobuf does). */
  int(field: number, value: number | bigint): this {
    this.parts.push(Uint8Array.from([...key(field, VARINT), ...varint(value)]));
    return this;
  }

  double(field: number, value: number): this {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setFloat64(0, value, true);
    this.parts.push(Uint8Array.from([...key(field, FIXED64), ...bytes]));
    return this;
  }

  float(field: number, value: number): this {
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.parts.push(Uint8Array.from([...key(field, FIXED32), ...bytes]));
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.parts.push(Uint8Array.from([...key(field, LENGTH_DELIMITED), ...varint(value.length)]));
    this.parts.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, encoder.encode(value));
  }

  message(field: number, value: ProtoMessage): this {
    return this.bytes(field, value.finish());
  }

  /** The message's bytes. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const part of this.parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }
}
