/**
 * A tiny WebAssembly binary writer: just the sections and opcodes our generated kernels use.
 *
 * Why: the relaxed-SIMD fused multiply-add (`f32x4.relaxed_madd`) is missing from the prebuilt
 * tfjs-backend-wasm binary, and this project builds no wasm with an external toolchain. A kernel
 * of a few dozen instructions can be written as bytes at load time instead; this file knows the
 * binary format, the kernel's author only the instructions.
 */

/** Value types. */
export const I32 = 0x7f;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;

/** Unsigned LEB128. */
function uleb(n: number): number[] {
  const out: number[] = [];
  let v = n >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 (32-bit values). */
function sleb(n: number): number[] {
  const out: number[] = [];
  let v = n | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(s: string): number[] {
  const bytes = [...new TextEncoder().encode(s)];
  return [...uleb(bytes.length), ...bytes];
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

/** A function body being written, instruction by instruction (stack machine order). */
export class Body {
  readonly bytes: number[] = [];

  private op(...b: number[]): this {
    this.bytes.push(...b);
    return this;
  }

  private simd(opcode: number, ...rest: number[]): this {
    return this.op(0xfd, ...uleb(opcode), ...rest);
  }

  get(local: number): this {
    return this.op(0x20, ...uleb(local));
  }
  set(local: number): this {
    return this.op(0x21, ...uleb(local));
  }
  tee(local: number): this {
    return this.op(0x22, ...uleb(local));
  }
  i32(value: number): this {
    return this.op(0x41, ...sleb(value));
  }
  i32Add(): this {
    return this.op(0x6a);
  }
  i32Sub(): this {
    return this.op(0x6b);
  }
  /** Add `bytes` to each of the i32 `locals` (pointers stepping through arrays together). */
  advance(locals: readonly number[], bytes: number): this {
    for (const local of locals) this.get(local).i32(bytes).i32Add().set(local);
    return this;
  }
  i32Eqz(): this {
    return this.op(0x45);
  }
  /** i32.load at [popped address + offset]. */
  i32Load(offset: number): this {
    return this.op(0x28, 2, ...uleb(offset));
  }
  /** f32.load at [popped address + offset]. */
  f32Load(offset: number): this {
    return this.op(0x2a, 2, ...uleb(offset));
  }
  /** f32.store of the popped value at [popped address + offset]. */
  f32Store(offset: number): this {
    return this.op(0x38, 2, ...uleb(offset));
  }
  f32Add(): this {
    return this.op(0x92);
  }
  /** `block` with no result; close with {@link end}. */
  block(): this {
    return this.op(0x02, 0x40);
  }
  /** `loop` with no result; close with {@link end}. */
  loop(): this {
    return this.op(0x03, 0x40);
  }
  end(): this {
    return this.op(0x0b);
  }
  /** Branch to the enclosing label `depth` levels out if the popped i32 is non-zero. */
  brIf(depth: number): this {
    return this.op(0x0d, ...uleb(depth));
  }
  /** v128.load at [popped address + offset]. */
  v128Load(offset: number): this {
    return this.simd(0x00, 4, ...uleb(offset));
  }
  /** v128.store of the popped vector at [popped address + offset]. */
  v128Store(offset: number): this {
    return this.simd(0x0b, 4, ...uleb(offset));
  }
  /** v128.load32_splat: one f32 at [popped address + offset] in all four lanes. */
  load32Splat(offset: number): this {
    return this.simd(0x09, 2, ...uleb(offset));
  }
  /** v128.const 0. */
  v128Zero(): this {
    return this.simd(0x0c, ...new Array<number>(16).fill(0));
  }
  f32x4Add(): this {
    return this.simd(0xe4);
  }
  f32x4Sub(): this {
    return this.simd(0xe5);
  }
  f32x4Mul(): this {
    return this.simd(0xe6);
  }
  /** f32x4.div: IEEE division per lane, rounded to nearest. */
  f32x4Div(): this {
    return this.simd(0xe7);
  }
  /** f32x4.sqrt: IEEE square root per lane, rounded to nearest. */
  f32x4Sqrt(): this {
    return this.simd(0xe3);
  }
  /** f32x4.splat: the popped f32 in all four lanes. */
  f32x4Splat(): this {
    return this.simd(0x13);
  }
  /** f64x2.splat: the popped f64 in both lanes. */
  f64x2Splat(): this {
    return this.simd(0x14);
  }
  /** i8x16.shuffle: byte i of the result is byte lanes[i] of a (0-15) or of b (16-31). */
  i8x16Shuffle(lanes: readonly number[]): this {
    if (lanes.length !== 16) throw new Error("i8x16.shuffle takes 16 lane indices");
    return this.simd(0x0d, ...lanes);
  }
  /** f64x2.promote_low_f32x4: the two low f32 lanes, exactly, as f64. */
  f64x2PromoteLow(): this {
    return this.simd(0x5f);
  }
  /** f32x4.demote_f64x2_zero: both f64 lanes rounded to f32 (to nearest, even) in the low lanes, zeros above. */
  f32x4DemoteZero(): this {
    return this.simd(0x5e);
  }
  f64x2Mul(): this {
    return this.simd(0xf2);
  }
  /** f32x4.gt: per lane, all ones where a > b (false for NaN), else zero. */
  f32x4Gt(): this {
    return this.simd(0x44);
  }
  /** v128.bitselect(a, b, mask) = (a & mask) | (b & ~mask). */
  v128Bitselect(): this {
    return this.simd(0x52);
  }
  /** f32x4.relaxed_madd(a, b, c) = a * b + c, fused or not as the CPU does it. */
  f32x4RelaxedMadd(): this {
    return this.simd(0x105);
  }
}

/** One exported function of a module: its signature, extra locals and body. */
export interface FunctionSpec {
  exportName: string;
  params: number[];
  results: number[];
  /** Types of the locals after the parameters, one entry per local. */
  locals: number[];
  body: Body;
}

/**
 * A module importing one linear memory as `env.memory` (so it works on another module's heap)
 * and exporting the given functions.
 */
export function moduleBytes(functions: readonly FunctionSpec[]): Uint8Array {
  const types = vec(
    functions.map((f) => [
      0x60,
      ...vec(f.params.map((t) => [t])),
      ...vec(f.results.map((t) => [t])),
    ]),
  );
  // Memory import: min 0 pages, no maximum (any non-shared memory matches).
  const imports = vec([[...name("env"), ...name("memory"), 0x02, 0x00, 0x00]]);
  const funcs = vec(functions.map((_, i) => uleb(i)));
  const exports = vec(functions.map((f, i) => [...name(f.exportName), 0x00, ...uleb(i)]));
  const bodies = vec(
    functions.map((f) => {
      const locals = vec(f.locals.map((t) => [1, t]));
      const content = [...locals, ...f.body.bytes, 0x0b];
      return [...uleb(content.length), ...content];
    }),
  );
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, types),
    ...section(2, imports),
    ...section(3, funcs),
    ...section(7, exports),
    ...section(10, bodies),
  ]);
}
