/**
 * Read an ONNX model back into a plain summary (opset, I/O shapes, nodes, initializer shapes):
 * lets tests and tooling assert what the exporter wrote without running it.
 */
import { type OnnxModelProto, type OnnxValueInfo, onnx } from "./onnx-graph.ts";

/** A graph input/output: name and dims (number, or the symbolic name of a dynamic dim). */
export interface OnnxIo {
  name: string;
  dims: (number | string)[];
}

/** What {@link inspectOnnx} returns. */
export interface OnnxSummary {
  irVersion: number;
  /** Opset of the default ("") domain. */
  opset: number;
  inputs: OnnxIo[];
  outputs: OnnxIo[];
  nodes: { name: string; opType: string; inputs: string[]; outputs: string[] }[];
  initializers: { name: string; dims: number[] }[];
  metadata: Record<string, string>;
}

/** Decode ONNX bytes into onnx-proto's ModelProto (for tests that edit a graph). */
export function decodeOnnx(bytes: Uint8Array): OnnxModelProto {
  return onnx.ModelProto.decode(bytes);
}

/** Encode a (possibly edited) ModelProto back to bytes. */
export function encodeOnnx(model: OnnxModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

/**
 * Summarise ONNX bytes.
 * @example
 * inspectOnnx(bytes).nodes.map((n) => n.opType); // ["Concat", "Gemm", "Relu", ...]
 */
export function inspectOnnx(bytes: Uint8Array): OnnxSummary {
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph;
  if (!graph) throw new Error("ONNX model has no graph");
  const io = (v: OnnxValueInfo): OnnxIo => ({
    name: v.name ?? "",
    dims: (v.type?.tensorType?.shape?.dim ?? []).map((d) =>
      d.dimParam ? d.dimParam : Number(d.dimValue ?? 0),
    ),
  });
  return {
    irVersion: Number(model.irVersion),
    opset: Number(model.opsetImport.find((o) => !o.domain)?.version ?? 0),
    inputs: (graph.input ?? []).map(io),
    outputs: (graph.output ?? []).map(io),
    nodes: (graph.node ?? []).map((n) => ({
      name: n.name ?? "",
      opType: n.opType ?? "",
      inputs: [...(n.input ?? [])],
      outputs: [...(n.output ?? [])],
    })),
    initializers: (graph.initializer ?? []).map((t) => ({
      name: t.name ?? "",
      dims: (t.dims ?? []).map(Number),
    })),
    metadata: Object.fromEntries(model.metadataProps.map((p) => [p.key ?? "", p.value ?? ""])),
  };
}
