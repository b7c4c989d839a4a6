/**
 * A small ONNX graph builder over onnx-proto's generated classes: named initializers, nodes,
 * typed inputs/outputs and model encoding. Keeps the protobuf details (enum numbers, int64
 * fields, raw little-endian tensor bytes) out of the layer-by-layer exporter.
 */
import onnxProto from "onnx-proto";

export const { onnx } = onnxProto;
/** A decoded ONNX model (onnx-proto's generated class). */
export type OnnxModelProto = onnxProto.onnx.ModelProto;
/** A graph input/output description. */
export type OnnxValueInfo = onnxProto.onnx.IValueInfoProto;

/** IR version 8 (ONNX 1.10-1.12): enough for opset 17 and accepted by onnxruntime-web 1.30. */
const ONNX_IR_VERSION = 8;

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  // Raw tensor bytes are written in platform order; ONNX requires little-endian.
  throw new Error("the ONNX exporter needs a little-endian platform");
}

/** An attribute value: number -> INT, {float} -> FLOAT, number[] -> INTS. */
export type AttrValue = number | { float: number } | number[];

/** A dimension of a graph input/output: a fixed size or a symbolic name such as "N". */
export type Dim = number | string;

export class OnnxGraphBuilder {
  private readonly nodes: onnxProto.onnx.INodeProto[] = [];
  private readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private readonly inputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly outputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly usedNames = new Set<string>();

  /** A name not used yet in this graph, derived from `base`. */
  uniqueName(base: string): string {
    let name = base;
    for (let i = 1; this.usedNames.has(name); i++) name = `${base}_${i}`;
    this.usedNames.add(name);
    return name;
  }

  /** Declare a float32 graph input. */
  addInput(name: string, dims: readonly Dim[]): string {
    this.usedNames.add(name);
    this.inputs.push(valueInfo(name, dims));
    return name;
  }

  /** Declare a float32 graph output (the tensor must be produced by some node). */
  addOutput(name: string, dims: readonly Dim[]): void {
    this.outputs.push(valueInfo(name, dims));
  }

  /** Add a float32 constant; returns its (unique) name. */
  addFloatInitializer(base: string, dims: readonly number[], values: Float32Array): string {
    const expected = dims.reduce((a, b) => a * b, 1);
    if (values.length !== expected) {
      throw new Error(`initializer ${base}: ${values.length} values for dims [${dims.join(", ")}]`);
    }
    const name = this.uniqueName(base);
    this.initializers.push({
      name,
      dataType: FLOAT,
      dims: [...dims],
      rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
    });
    return name;
  }

  /** Add an int64 1-D constant (shapes, for Reshape); returns its name. */
  addInt64Initializer(base: string, values: readonly number[]): string {
    const name = this.uniqueName(base);
    const data = BigInt64Array.from(values, (v) => BigInt(v));
    this.initializers.push({
      name,
      dataType: INT64,
      dims: [values.length],
      rawData: new Uint8Array(data.buffer),
    });
    return name;
  }

  /** Add a node with one output; returns the output tensor name. */
  addNode(
    opType: string,
    baseName: string,
    inputs: readonly string[],
    attributes: Record<string, AttrValue> = {},
  ): string {
    const name = this.uniqueName(baseName);
    const output = this.uniqueName(`${name}_out`);
    this.nodes.push({
      name,
      opType,
      input: [...inputs],
      output: [output],
      attribute: Object.entries(attributes).map(([key, value]) => attribute(key, value)),
    });
    return output;
  }

  /** Rename a tensor everywhere it is produced or consumed (used to give the output its contract name). */
  renameTensor(from: string, to: string): void {
    if (this.usedNames.has(to)) throw new Error(`tensor name ${to} is already used`);
    this.usedNames.add(to);
    for (const node of this.nodes) {
      node.input = (node.input ?? []).map((n) => (n === from ? to : n));
      node.output = (node.output ?? []).map((n) => (n === from ? to : n));
    }
  }

  /** Encode the model: opset `opset` of the default domain, metadata as string pairs. */
  encode(
    graphName: string,
    opset: number,
    metadata: Record<string, string>,
    docString: string,
  ): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: ONNX_IR_VERSION,
      producerName: "edgegan",
      producerVersion: "0.1.0",
      docString,
      opsetImport: [{ domain: "", version: opset }],
      metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
      graph: {
        name: graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function valueInfo(name: string, dims: readonly Dim[]): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: FLOAT,
        shape: {
          dim: dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })),
        },
      },
    },
  };
}

function attribute(name: string, value: AttrValue): onnxProto.onnx.IAttributeProto {
  const { AttributeType } = onnx.AttributeProto;
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value };
  if (typeof value === "number") return { name, type: AttributeType.INT, i: value };
  return { name, type: AttributeType.FLOAT, f: value.float };
}
