/**
 * im2col and col2im for NHWC convolutions on the wasm heap, to run a convolution as one GEMM
 * (fma-conv.ts). A column matrix has one row per output pixel p = (n, oh, ow) and one column per
 * filter tap and input channel (kh, kw, ci), the order of a [kh, kw, Cin, Cout] filter's rows.
 *
 * The data moves as runs of Cin floats (one pixel's channels). JavaScript lists the runs as
 * (source, destination) byte-offset pairs in a heap table; a generated wasm loop copies or adds
 * them with f32x4 loads and stores (a JavaScript loop or copyWithin per run was several times
 * slower: 25 K runs of 64 floats per call on the DCGAN's 64 <-> 128 layer).
 */
import type { backend_util } from "@tensorflow/tfjs-core";
import { type HeapMemory, heapModule } from "./fma-gemm.ts";
import { Body, I32, moduleBytes } from "./wasm-emit.ts";

/** Shapes, strides and padding of the forward conv (dilation 1). */
export type ConvGeometry = Pick<
  backend_util.Conv2DInfo,
  | "batchSize"
  | "inHeight"
  | "inWidth"
  | "inChannels"
  | "outHeight"
  | "outWidth"
  | "filterHeight"
  | "filterWidth"
  | "strideHeight"
  | "strideWidth"
> & { padInfo: { top: number; left: number } };

/** Output pixels (rows of the column matrix). */
export function outputPixels(g: ConvGeometry): number {
  return g.batchSize * g.outHeight * g.outWidth;
}

/** Taps of the filter (kh * kw). */
export function filterTaps(g: ConvGeometry): number {
  return g.filterHeight * g.filterWidth;
}

/**
 * Call `visit(p, tap, pixel)` for every output pixel p and filter tap, in order, with the input
 * pixel index (n, y, x) flattened, or -1 where the tap falls in the padding.
 */
function forEachTap(g: ConvGeometry, visit: (p: number, tap: number, pixel: number) => void): void {
  const { inHeight: h, inWidth: w, filterHeight: kh, filterWidth: kw } = g;
  const { top, left } = g.padInfo;
  let p = 0;
  for (let n = 0; n < g.batchSize; n++) {
    for (let oh = 0; oh < g.outHeight; oh++) {
      for (let ow = 0; ow < g.outWidth; ow++, p++) {
        for (let i = 0; i < kh; i++) {
          const y = oh * g.strideHeight + i - top;
          for (let j = 0; j < kw; j++) {
            const x = ow * g.strideWidth + j - left;
            const inside = y >= 0 && y < h && x >= 0 && x < w;
            visit(p, i * kw + j, inside ? (n * h + y) * w + x : -1);
          }
        }
      }
    }
  }
}

/**
 * `runs(table, pairs)`: for each (src, dst) i32 pair, copy (or with `add`, add into dst) `runFloats`
 * contiguous floats from src; at dst they go in chunks of `chunkFloats`, chunk h at
 * dst + h * chunkStrideBytes (one chunk: a contiguous run).
 */
function runsBytes(
  runFloats: number,
  add: boolean,
  chunkFloats: number,
  chunkStrideBytes: number,
): Uint8Array {
  const [TABLE, PAIRS, SRC, DST] = [0, 1, 2, 3];
  const to = (f: number) => Math.floor(f / chunkFloats) * chunkStrideBytes + (f % chunkFloats) * 4;
  const body = new Body();
  body.block().get(PAIRS).i32Eqz().brIf(0);
  body.loop();
  body.get(TABLE).i32Load(0).set(SRC).get(TABLE).i32Load(4).set(DST);
  // f32x4 moves while 4 floats stay within one chunk, single floats for the rest
  for (let f = 0; f < runFloats; ) {
    const vector = f + 4 <= runFloats && (f % chunkFloats) + 4 <= chunkFloats;
    body.get(DST);
    if (vector) {
      if (add) body.get(DST).v128Load(to(f));
      body.get(SRC).v128Load(f * 4);
      if (add) body.f32x4Add();
      body.v128Store(to(f));
    } else {
      if (add) body.get(DST).f32Load(to(f));
      body.get(SRC).f32Load(f * 4);
      if (add) body.f32Add();
      body.f32Store(to(f));
    }
    f += vector ? 4 : 1;
  }
  body.get(TABLE).i32(8).i32Add().set(TABLE);
  body.get(PAIRS).i32(1).i32Sub().tee(PAIRS).brIf(0);
  body.end().end();
  return moduleBytes([
    { exportName: "runs", params: [I32, I32], results: [], locals: [I32, I32], body },
  ]);
}

/** How {@link moveRuns} moves each run. */
interface RunShape {
  runFloats: number;
  add: boolean;
  /** Floats per destination chunk (default: the whole run) and the bytes between chunks. */
  chunkFloats?: number;
  chunkStrideBytes?: number;
}

/** Run the (src, dst) pairs at byte offset `table`. */
function moveRuns(memory: HeapMemory, table: number, pairs: number, shape: RunShape): void {
  const chunk = shape.chunkFloats ?? shape.runFloats;
  const stride = shape.chunkStrideBytes ?? 0;
  const key = `runs ${shape.runFloats} ${shape.add} ${chunk} ${stride}`;
  const bytes = () => runsBytes(shape.runFloats, shape.add, chunk, stride);
  const runs = heapModule(memory, key, bytes).runs as (table: number, pairs: number) => void;
  runs(table, pairs);
}

/** Heap byte offsets of the buffers an im2col or col2im works with. */
export interface ColumnBuffers {
  /** Scratch for the run table: 8 bytes per pair ({@link tableBytes}). */
  table: number;
  /** Cin zero floats (source of the padding taps), or unused for col2im. */
  zeros: number;
}

/** Table size an im2col/col2im of `g` needs, in bytes (one pair per output pixel and tap). */
export function tableBytes(g: ConvGeometry): number {
  return outputPixels(g) * filterTaps(g) * 8;
}

/**
 * Column matrix of x (byte offset `x`, [N, H, W, Cin]) at byte offset `col`, rows `ldCol` floats
 * apart (>= kh * kw * Cin); padding taps are zero.
 */
export function im2col(
  memory: HeapMemory,
  x: number,
  g: ConvGeometry,
  col: number,
  ldCol: number,
  buffers: ColumnBuffers,
): void {
  const c = g.inChannels;
  const t = new Int32Array(memory.buffer, buffers.table, tableBytes(g) >> 2);
  new Float32Array(memory.buffer, buffers.zeros, c).fill(0);
  let i = 0;
  const taps = filterTaps(g);
  forEachTap(g, (p, tap, pixel) => {
    t[i++] = pixel < 0 ? buffers.zeros : x + pixel * c * 4;
    t[i++] = col + (p * ldCol + tap * c) * 4;
  });
  moveRuns(memory, buffers.table, outputPixels(g) * taps, { runFloats: c, add: false });
}

/**
 * The column matrix of x written straight into GEMM B panels (see fma-gemm.ts packPanels): panel
 * q holds columns 8q .. 8q + 7, row p at pack + (q * P + p) * 32. Needs Cin % 8 == 0.
 */
export function im2colPanels(
  memory: HeapMemory,
  x: number,
  g: ConvGeometry,
  pack: number,
  nr: number,
  buffers: ColumnBuffers,
): void {
  const c = g.inChannels;
  if (c % nr !== 0) throw new Error(`im2colPanels: Cin ${c} is not a multiple of ${nr}`);
  const pixels = outputPixels(g);
  const t = new Int32Array(memory.buffer, buffers.table, tableBytes(g) >> 2);
  new Float32Array(memory.buffer, buffers.zeros, c).fill(0);
  let i = 0;
  forEachTap(g, (p, tap, pixel) => {
    t[i++] = pixel < 0 ? buffers.zeros : x + pixel * c * 4;
    t[i++] = pack + ((tap * c) / nr) * pixels * nr * 4 + p * nr * 4;
  });
  moveRuns(memory, buffers.table, i >> 1, {
    runFloats: c,
    add: false,
    chunkFloats: nr,
    chunkStrideBytes: pixels * nr * 4,
  });
}

/**
 * dx (byte offset, [N, H, W, Cin]) = the column matrix's entries summed into the input pixels
 * they came from (the adjoint of {@link im2col}); padding taps are dropped. Entries are added in
 * a fixed order (output pixel, then tap), so the result is the same on every call.
 */
export function col2im(
  memory: HeapMemory,
  col: number,
  ldCol: number,
  g: ConvGeometry,
  dx: number,
  buffers: ColumnBuffers,
): void {
  const c = g.inChannels;
  new Float32Array(memory.buffer, dx, g.batchSize * g.inHeight * g.inWidth * c).fill(0);
  const t = new Int32Array(memory.buffer, buffers.table, tableBytes(g) >> 2);
  let i = 0;
  forEachTap(g, (p, tap, pixel) => {
    if (pixel < 0) return;
    t[i++] = col + (p * ldCol + tap * c) * 4;
    t[i++] = dx + pixel * c * 4;
  });
  moveRuns(memory, buffers.table, i >> 1, { runFloats: c, add: true });
}
