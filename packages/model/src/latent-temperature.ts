/**
 * The latent temperature T of a generator graph: one Mul(z, T) in front of the generator, so the
 * graph still takes z ~ N(0, 1) (the contract) and the network sees T z. Below 1 samples sit
 * nearer their class's typical image (read as asked more often, less varied); the network and
 * its weights are unchanged.
 *
 * Declared once here: the exporter adds the node while it builds a graph (`scaledLatent`), and
 * `setLatentTemperature` sets, changes or removes it in a finished graph, so a served model is
 * re-tempered without its training run.
 */
import { ONNX_IO } from "@edgegan/shared";
import type { OnnxGraphBuilder } from "./onnx-graph.ts";
import { onnx } from "./onnx-graph.ts";
import { decodeOnnx, encodeOnnx } from "./onnx-inspect.ts";

/** Names the temperature has in a graph: its Mul node, the node's scalar constant, the metadata key. */
export const LATENT_TEMPERATURE = {
  node: "latent_temperature_scale",
  initializer: "latent_temperature",
  metadataKey: "latent_temperature",
} as const;

/** @throws Error unless `t` is a finite number > 0. */
export function assertLatentTemperature(t: number): void {
  if (!(Number.isFinite(t) && t > 0)) {
    throw new Error(`latent temperature must be a finite number > 0, got ${t}`);
  }
}

/**
 * While building a graph: the tensor the generator reads for z, z itself at temperature 1, else
 * the output of Mul(z, T) [N, 100].
 */
export function scaledLatent(g: OnnxGraphBuilder, z: string, temperature: number): string {
  assertLatentTemperature(temperature);
  if (temperature === 1) return z;
  const t = g.addFloatInitializer(LATENT_TEMPERATURE.initializer, [], Float32Array.of(temperature));
  return g.addNode("Mul", LATENT_TEMPERATURE.node, [z, t]);
}

/** The metadata a graph records its temperature under: none at 1. */
export function temperatureMetadata(temperature: number): Record<string, string> {
  return temperature === 1 ? {} : { [LATENT_TEMPERATURE.metadataKey]: String(temperature) };
}

/**
 * A finished generator graph at latent temperature `temperature` (absolute, not relative to the
 * one it has): the Mul node's constant changed, the node added in front of z's readers, or at 1
 * removed. Everything else (weights, float16 Casts, I/O) is kept as it is.
 * @throws Error for a temperature that is not a finite number > 0, or a graph without input z.
 */
export function setLatentTemperature(bytes: Uint8Array, temperature: number): Uint8Array {
  assertLatentTemperature(temperature);
  const model = decodeOnnx(bytes);
  const graph = model.graph;
  const z = ONNX_IO.latentInput;
  if (!graph?.input?.some((i) => i.name === z)) {
    throw new Error(`the graph has no input "${z}": not a generator of this contract`);
  }
  const nodes = graph.node ?? [];
  const mul = nodes.find((n) => n.name === LATENT_TEMPERATURE.node);
  const scaled = mul?.output?.[0] ?? `${LATENT_TEMPERATURE.node}_out`;
  const readers = nodes.filter((n) => n !== mul);
  // every reader of the scaled z reads z itself, and the temperature's node and constant go
  for (const node of readers) node.input = (node.input ?? []).map((i) => (i === scaled ? z : i));
  graph.node = readers;
  graph.initializer = (graph.initializer ?? []).filter(
    (t) => t.name !== LATENT_TEMPERATURE.initializer,
  );
  model.metadataProps = model.metadataProps.filter((p) => p.key !== LATENT_TEMPERATURE.metadataKey);
  if (temperature === 1) return encodeOnnx(model);

  // then, at T != 1: z's readers read Mul(z, T), which comes first
  for (const node of readers) node.input = (node.input ?? []).map((i) => (i === z ? scaled : i));
  const value = Float32Array.of(temperature);
  graph.initializer.push(
    onnx.TensorProto.create({
      name: LATENT_TEMPERATURE.initializer,
      dataType: onnx.TensorProto.DataType.FLOAT,
      dims: [],
      rawData: new Uint8Array(value.buffer),
    }),
  );
  graph.node = [
    onnx.NodeProto.create({
      name: LATENT_TEMPERATURE.node,
      opType: "Mul",
      input: [z, LATENT_TEMPERATURE.initializer],
      output: [scaled],
    }),
    ...readers,
  ];
  for (const [key, v] of Object.entries(temperatureMetadata(temperature))) {
    model.metadataProps.push(onnx.StringStringEntryProto.create({ key, value: v }));
  }
  return encodeOnnx(model);
}
