/**
 * Half-size models: store an exported generator's float32 weights as float16, each followed by
 * a Cast back to float32, so the graph's arithmetic and I/O stay float32 while the file (and the
 * worker bundle) halves. onnxruntime folds the Casts into constants when the session is created,
 * so inference runs exactly as fast as with float32 weights.
 *
 * The change in outputs is small but not zero (float16 keeps ~3 significant digits): the export
 * gate checks it against TF.js with its own tolerance.
 */

import { onnx } from "./onnx-graph.ts";
import { decodeOnnx, encodeOnnx } from "./onnx-inspect.ts";

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const FLOAT16 = onnx.TensorProto.DataType.FLOAT16;

/**
 * The IEEE 754 half-precision bits nearest to `value` (round half to even; overflow to
 * infinity, NaN kept, subnormals kept).
 * @example
 * float16Bits(1) === 0x3c00; float16Bits(-2) === 0xc000; float16Bits(65520) === 0x7c00
 */
export function float16Bits(value: number): number {
  const f32 = new Float32Array([value]);
  const bits = new Uint32Array(f32.buffer)[0] as number;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0); // Inf, NaN
  const e = exponent - 127 + 15; // re-biased exponent
  if (e >= 0x1f) return sign | 0x7c00; // too large: infinity
  if (e <= 0) {
    // subnormal half (or zero): shift the mantissa with its implicit 1 into place, round to even
    if (e < -10) return sign;
    const m = mantissa | 0x800000;
    const shift = 14 - e;
    const half = m >>> shift;
    const rest = m & ((1 << shift) - 1);
    const midpoint = 1 << (shift - 1);
    const roundUp = rest > midpoint || (rest === midpoint && (half & 1) === 1);
    return sign | (half + (roundUp ? 1 : 0));
  }
  const half = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  const roundUp = rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1);
  return sign | (half + (roundUp ? 1 : 0)); // a carry into the exponent is the right rounding
}

/**
 * Rewrite ONNX bytes so every float32 initializer except scalars is stored as float16 and cast
 * back to float32 by a Cast node placed first in the graph; graph inputs, outputs and every other
 * node keep their names and types. Scalars (rank 0: the latent temperature) stay float32: halving
 * 4 bytes saves nothing and would round a setting the card states.
 * @throws Error when the model has no graph or an initializer holds float32 outside rawData.
 */
export function toFloat16Weights(bytes: Uint8Array): Uint8Array {
  const model = decodeOnnx(bytes);
  const graph = model.graph;
  if (!graph) throw new Error("ONNX model has no graph");
  const casts: typeof graph.node = [];
  for (const init of graph.initializer ?? []) {
    if (init.dataType !== FLOAT || (init.dims ?? []).length === 0) continue;
    const raw = init.rawData;
    if (!raw || raw.length === 0) {
      throw new Error(`initializer ${init.name} keeps its float32 values outside rawData`);
    }
    const floats = new Float32Array(new Uint8Array(raw).buffer); // a copy: rawData may view a larger buffer
    const halves = new Uint16Array(floats.length);
    for (let i = 0; i < floats.length; i++) halves[i] = float16Bits(floats[i] as number);
    const name = init.name as string;
    init.name = `${name}_float16`;
    init.dataType = FLOAT16;
    init.rawData = new Uint8Array(halves.buffer);
    casts.push(
      onnx.NodeProto.create({
        name: `${name}_cast`,
        opType: "Cast",
        input: [init.name],
        output: [name],
        attribute: [{ name: "to", type: onnx.AttributeProto.AttributeType.INT, i: FLOAT }],
      }),
    );
  }
  graph.node = [...casts, ...(graph.node ?? [])];
  return encodeOnnx(model);
}
