/**
 * Generator -> ONNX, without Python: reads each tf.layers layer's weights and writes the
 * equivalent ONNX nodes (opset ONNX_OPSET) with onnx-proto.
 *
 * What it guarantees (checked by onnx-parity.ts): the graph takes `z` [N,100] and `label` [N,10]
 * and gives `image` float32 [N,1,28,28] (NCHW) equal to the TF.js generator in inference mode.
 * - BatchNorm (moving mean/variance, the layer's epsilon) is folded into the preceding Dense /
 *   Conv2DTranspose weights and bias; no BatchNormalization node is left.
 * - Rank-4 tensors live in NCHW inside the graph: TF's NHWC Reshape gets a Transpose after it,
 *   and TF's transposed-conv kernel [kh,kw,outC,inC] becomes ONNX's [inC,outC,kh,kw].
 * - TF 'same'/'valid' padding of Conv2DTranspose becomes explicit ONNX pads (and output_padding).
 * - A latent temperature T other than 1 puts one Mul(z, T) in front of the generator, so the graph
 *   still takes z ~ N(0, 1) (the contract) and the generator sees T * z (latent-temperature.ts).
 * Layers it does not know are refused with an Error rather than exported wrongly.
 */
import {
  type Architecture,
  IMAGE_CHANNELS,
  IMAGE_SIZE,
  imageBatchShape,
  LATENT_SIZE,
  NUM_CLASSES,
  ONNX_IO,
  ONNX_OPSET,
} from "@edgegan/shared";
import type * as tfl from "@tensorflow/tfjs-layers";
import { assertArchitecture } from "./architecture.ts";
import { scaledLatent, temperatureMetadata } from "./latent-temperature.ts";
import { OnnxGraphBuilder } from "./onnx-graph.ts";

type Layer = tfl.LayersModel["layers"][number];

/** Layer classes the exporter understands. */
export const SUPPORTED_LAYERS = [
  "InputLayer",
  "Concatenate",
  "Dense",
  "BatchNormalization",
  "ReLU",
  "LeakyReLU",
  "Activation",
  "Reshape",
  "Conv2DTranspose",
] as const;

/** An ONNX tensor standing for a TF.js layer output; rank-4 tensors are NCHW on the ONNX side. */
interface Value {
  name: string;
  /** Rank of the TF tensor, batch included (2 = [N,F], 4 = TF [N,H,W,C] = ONNX [N,C,H,W]). */
  rank: number;
}

/** Options of {@link exportGeneratorToOnnx}. */
export interface ExportOptions {
  /**
   * T: the generator sees T * z for the graph's z ~ N(0, 1); below 1, samples nearer their
   * class's typical image (the truncation trade of BigGAN, as a scale). Default 1: no node.
   */
  latentTemperature?: number;
}

/**
 * Export a generator built by {@link buildGenerator} (or any model made of the same layer types)
 * to ONNX bytes.
 *
 * Graph inputs: `z` float32 [N, 100], `label` float32 [N, 10] (N dynamic, named "N").
 * Graph output: `image` float32 [N, 1, 28, 28] in [-1, 1].
 *
 * @param generator the TF.js generator; its weights are read, not modified.
 * @param arch recorded in the model's metadata ("arch").
 * @param options the latent temperature (recorded in the metadata as "latent_temperature" when not 1).
 * @returns the serialized ModelProto.
 * @throws Error for an unknown layer type, an unsupported layer setting, wrong I/O shapes, or a
 *   temperature that is not a finite number > 0.
 * @example
 * const bytes = exportGeneratorToOnnx(buildGenerator("dcgan"), "dcgan");
 * await writeFile("generator.onnx", bytes);
 */
export function exportGeneratorToOnnx(
  generator: tfl.LayersModel,
  arch: Architecture,
  { latentTemperature = 1 }: ExportOptions = {},
): Uint8Array {
  assertArchitecture(arch);
  const g = new OnnxGraphBuilder();
  const values = new Map<string, Value>();
  const consumers = consumerMap(generator);

  checkInputs(generator);
  const [latentLayer, labelLayer] = generator.inputLayers as [Layer, Layer];
  const z = g.addInput(ONNX_IO.latentInput, [ONNX_IO.batchDim, LATENT_SIZE]);
  values.set(latentLayer.name, { name: scaledLatent(g, z, latentTemperature), rank: 2 });
  values.set(labelLayer.name, {
    name: g.addInput(ONNX_IO.labelInput, [ONNX_IO.batchDim, NUM_CLASSES]),
    rank: 2,
  });

  for (const layer of generator.layers) {
    if (values.has(layer.name)) continue; // an input, or a BatchNorm already folded
    const className = layer.getClassName();
    const inputs = inboundLayers(layer).map((l) => {
      const v = values.get(l.name);
      if (!v) throw new Error(`layer ${layer.name}: input ${l.name} was not exported before it`);
      return v;
    });
    const ctx: LayerContext = { g, layer, inputs, config: layer.getConfig() };
    switch (className) {
      case "Concatenate":
        values.set(layer.name, concatenate(ctx));
        break;
      case "Dense":
      case "Conv2DTranspose": {
        const bn = foldableBatchNorm(generator, layer, consumers);
        const value = className === "Dense" ? dense(ctx, bn) : conv2dTranspose(ctx, bn);
        values.set(layer.name, value);
        if (bn) values.set(bn.name, value);
        break;
      }
      case "BatchNormalization":
        values.set(layer.name, standaloneBatchNorm(ctx));
        break;
      case "ReLU": {
        if (ctx.config.maxValue != null) unsupported(layer, `maxValue ${ctx.config.maxValue}`);
        values.set(layer.name, activation(ctx, one(ctx), "relu"));
        break;
      }
      case "LeakyReLU": {
        const alpha = Number(ctx.config.alpha ?? 0.3);
        const v = one(ctx);
        values.set(layer.name, {
          name: g.addNode("LeakyRelu", layer.name, [v.name], { alpha: { float: alpha } }),
          rank: v.rank,
        });
        break;
      }
      case "Activation":
        values.set(layer.name, activation(ctx, one(ctx), String(ctx.config.activation)));
        break;
      case "Reshape":
        values.set(layer.name, reshape(ctx));
        break;
      default:
        throw new Error(
          `cannot export layer ${layer.name} of type ${className} to ONNX; supported layer types: ${SUPPORTED_LAYERS.join(", ")}`,
        );
    }
  }

  const out = checkOutput(generator, values);
  g.renameTensor(out.name, ONNX_IO.imageOutput);
  g.addOutput(ONNX_IO.imageOutput, [ONNX_IO.batchDim, ...imageBatchShape(1).slice(1)]);
  return g.encode(
    `generator_${arch}`,
    ONNX_OPSET,
    {
      arch,
      layout: "NCHW",
      output_range: "[-1,1]",
      ...temperatureMetadata(latentTemperature),
    },
    "EdgeGAN class-conditional generator: z [N,100] ~ N(0,1), label [N,10] one-hot -> image [N,1,28,28] in [-1,1]",
  );
}

interface LayerContext {
  g: OnnxGraphBuilder;
  layer: Layer;
  inputs: Value[];
  // biome-ignore lint/suspicious/noExplicitAny: tf.layers configs are untyped dictionaries
  config: Record<string, any>;
}

/** BatchNorm statistics reduced to y = x * scale + shift per channel (float64 for the fold). */
interface Affine {
  scale: Float64Array;
  shift: Float64Array;
}

function unsupported(layer: Layer, what: string): never {
  throw new Error(
    `cannot export layer ${layer.name} (${layer.getClassName()}): unsupported ${what}`,
  );
}

function one(ctx: LayerContext): Value {
  const [v] = ctx.inputs;
  if (!v || ctx.inputs.length !== 1)
    unsupported(ctx.layer, `${ctx.inputs.length} inputs (expected 1)`);
  return v;
}

function inboundLayers(layer: Layer): Layer[] {
  const node = layer.inboundNodes[0];
  if (!node) throw new Error(`layer ${layer.name} is not connected`);
  return node.inboundLayers;
}

/** layer name -> names of the layers that take its output (within the model's own graph). */
function consumerMap(model: tfl.LayersModel): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const layer of model.layers) {
    for (const src of layer.inboundNodes[0]?.inboundLayers ?? []) {
      map.set(src.name, [...(map.get(src.name) ?? []), layer.name]);
    }
  }
  return map;
}

/** The BatchNorm layer to fold into `layer`: its only consumer, when `layer` has no activation. */
function foldableBatchNorm(
  model: tfl.LayersModel,
  layer: Layer,
  consumers: Map<string, string[]>,
): Layer | undefined {
  const next = consumers.get(layer.name);
  if (next?.length !== 1 || next[0] === undefined) return undefined;
  if (String(layer.getConfig().activation ?? "linear") !== "linear") return undefined;
  const candidate = model.getLayer(next[0]);
  return candidate.getClassName() === "BatchNormalization" ? candidate : undefined;
}

/** Named weights of a layer as float64 arrays with their shapes. */
function weight(layer: Layer, suffix: string): { data: Float64Array; shape: number[] } | undefined {
  const w = layer.weights.find(
    (v) => v.originalName.endsWith(`/${suffix}`) || v.name.endsWith(`/${suffix}`),
  );
  if (!w) return undefined;
  const t = w.read();
  return { data: Float64Array.from(t.dataSync()), shape: t.shape };
}

function requiredWeight(layer: Layer, suffix: string) {
  const w = weight(layer, suffix);
  if (!w) throw new Error(`layer ${layer.name} has no ${suffix} weight`);
  return w;
}

/** Inference-mode BatchNorm as a per-channel affine map: scale = gamma / sqrt(var + eps), shift = beta - mean * scale. */
function batchNormAffine(bn: Layer): Affine {
  const config = bn.getConfig();
  const axis = Number(config.axis ?? -1);
  const rank = bn.inboundNodes[0]?.inputTensors[0]?.shape.length ?? 0;
  if (axis !== -1 && axis !== rank - 1) unsupported(bn, `axis ${axis} (only the channel axis -1)`);
  const epsilon = Number(config.epsilon);
  const mean = requiredWeight(bn, "moving_mean").data;
  const variance = requiredWeight(bn, "moving_variance").data;
  const gamma = weight(bn, "gamma")?.data;
  const beta = weight(bn, "beta")?.data;
  const scale = new Float64Array(mean.length);
  const shift = new Float64Array(mean.length);
  for (let c = 0; c < mean.length; c++) {
    scale[c] = (gamma?.[c] ?? 1) / Math.sqrt((variance[c] as number) + epsilon);
    shift[c] = (beta?.[c] ?? 0) - (mean[c] as number) * (scale[c] as number);
  }
  return { scale, shift };
}

/** bias' = bias * scale + shift (bias 0 when the layer has none), per output channel. */
function foldedBias(
  bias: Float64Array | undefined,
  channels: number,
  bn: Affine | undefined,
): Float32Array {
  const out = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    const b = bias?.[c] ?? 0;
    out[c] = bn ? b * (bn.scale[c] as number) + (bn.shift[c] as number) : b;
  }
  return out;
}

function activation(ctx: LayerContext, v: Value, name: string): Value {
  const op = { linear: null, relu: "Relu", tanh: "Tanh", sigmoid: "Sigmoid" }[name];
  if (op === undefined)
    unsupported(ctx.layer, `activation "${name}" (supported: linear, relu, tanh, sigmoid)`);
  if (op === null) return v;
  return { name: ctx.g.addNode(op, `${ctx.layer.name}_${name}`, [v.name]), rank: v.rank };
}

function concatenate(ctx: LayerContext): Value {
  const rank = ctx.inputs[0]?.rank ?? 0;
  if (ctx.inputs.some((v) => v.rank !== rank)) unsupported(ctx.layer, "inputs of different ranks");
  const axis = Number(ctx.config.axis ?? -1);
  if (axis !== -1 && axis !== rank - 1) unsupported(ctx.layer, `axis ${axis} (only the last axis)`);
  // Last TF axis = features (rank 2) or channels (rank 4, NCHW axis 1): ONNX axis 1 either way.
  const name = ctx.g.addNode(
    "Concat",
    ctx.layer.name,
    ctx.inputs.map((v) => v.name),
    { axis: 1 },
  );
  return { name, rank };
}

/** Dense [N,in] -> Gemm with kernel [in,out] (BatchNorm folded per output column). */
function dense(ctx: LayerContext, bnLayer: Layer | undefined): Value {
  const v = one(ctx);
  if (v.rank !== 2)
    unsupported(ctx.layer, `input rank ${v.rank} (Dense is exported for [N, features] only)`);
  const kernel = requiredWeight(ctx.layer, "kernel");
  const [inUnits, units] = kernel.shape as [number, number];
  const bn = bnLayer ? batchNormAffine(bnLayer) : undefined;
  const w = new Float32Array(kernel.data.length);
  for (let i = 0; i < inUnits; i++) {
    for (let o = 0; o < units; o++) {
      const k = i * units + o;
      w[k] = (kernel.data[k] as number) * (bn ? (bn.scale[o] as number) : 1);
    }
  }
  const bias = foldedBias(weight(ctx.layer, "bias")?.data, units, bn);
  const base = bnLayer ? `${ctx.layer.name}_${bnLayer.name}` : ctx.layer.name;
  const wName = ctx.g.addFloatInitializer(`${base}_W`, [inUnits, units], w);
  const bName = ctx.g.addFloatInitializer(`${base}_B`, [units], bias);
  const out = { name: ctx.g.addNode("Gemm", base, [v.name, wName, bName]), rank: 2 };
  return activation(ctx, out, String(ctx.config.activation ?? "linear"));
}

/**
 * Conv2DTranspose NHWC -> ONNX ConvTranspose NCHW. Kernel [kh,kw,outC,inC] -> [inC,outC,kh,kw]
 * (same correlation semantics, no flip). TF 'same' pads the matching forward conv by
 * max(k - s, 0) in total, the smaller half first; ONNX's pads are those of the forward conv.
 */
function conv2dTranspose(ctx: LayerContext, bnLayer: Layer | undefined): Value {
  const v = one(ctx);
  const { config, layer } = ctx;
  if (v.rank !== 4) unsupported(layer, `input rank ${v.rank}`);
  if (config.dataFormat !== "channelsLast") unsupported(layer, `dataFormat ${config.dataFormat}`);
  const dilation = [config.dilationRate ?? [1, 1]].flat();
  if (dilation.some((d: number) => d !== 1)) unsupported(layer, `dilationRate ${dilation}`);
  const padding = String(config.padding);
  if (padding !== "same" && padding !== "valid") unsupported(layer, `padding ${padding}`);

  const kernel = requiredWeight(layer, "kernel");
  const [kh, kw, outC, inC] = kernel.shape as [number, number, number, number];
  const strides = [config.strides].flat() as number[];
  const [sh, sw] =
    strides.length === 1
      ? [strides[0] as number, strides[0] as number]
      : (strides as [number, number]);
  const inShape = layer.inboundNodes[0]?.inputTensors[0]?.shape ?? [];
  const pads = [0, 0, 0, 0]; // [h_begin, w_begin, h_end, w_end]
  const outputPadding = [0, 0];
  [
    [kh, sh, inShape[1]],
    [kw, sw, inShape[2]],
  ].forEach(([k, s, size], axis) => {
    if (typeof size !== "number") unsupported(layer, "unknown spatial input size");
    const k0 = k as number;
    const s0 = s as number;
    const total = padding === "same" ? Math.max(k0 - s0, 0) : 0;
    // TF's output length: size*s ('same') or size*s + max(k - s, 0) ('valid').
    const target = padding === "same" ? size * s0 : size * s0 + Math.max(k0 - s0, 0);
    pads[axis] = Math.floor(total / 2);
    pads[axis + 2] = total - Math.floor(total / 2);
    outputPadding[axis] = target - (s0 * (size - 1) + k0 - total);
  });

  const bn = bnLayer ? batchNormAffine(bnLayer) : undefined;
  const w = new Float32Array(kernel.data.length);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      for (let o = 0; o < outC; o++) {
        for (let i = 0; i < inC; i++) {
          const src = ((y * kw + x) * outC + o) * inC + i;
          const dst = ((i * outC + o) * kh + y) * kw + x;
          w[dst] = (kernel.data[src] as number) * (bn ? (bn.scale[o] as number) : 1);
        }
      }
    }
  }
  const bias = foldedBias(weight(layer, "bias")?.data, outC, bn);
  const base = bnLayer ? `${layer.name}_${bnLayer.name}` : layer.name;
  const wName = ctx.g.addFloatInitializer(`${base}_W`, [inC, outC, kh, kw], w);
  const bName = ctx.g.addFloatInitializer(`${base}_B`, [outC], bias);
  const attrs: Record<string, number[]> = { kernel_shape: [kh, kw], strides: [sh, sw], pads };
  if (outputPadding.some((p) => p !== 0)) attrs.output_padding = outputPadding;
  const out = {
    name: ctx.g.addNode("ConvTranspose", base, [v.name, wName, bName], attrs),
    rank: 4,
  };
  return activation(ctx, out, String(config.activation ?? "linear"));
}

/** A BatchNorm with nothing to fold into: Mul + Add with per-channel constants. */
function standaloneBatchNorm(ctx: LayerContext): Value {
  const v = one(ctx);
  const { scale, shift } = batchNormAffine(ctx.layer);
  // Broadcast over the channel axis: [C] for [N,C], [C,1,1] for NCHW.
  const dims =
    v.rank === 4
      ? [scale.length, 1, 1]
      : v.rank === 2
        ? [scale.length]
        : unsupported(ctx.layer, `input rank ${v.rank}`);
  const s = ctx.g.addFloatInitializer(`${ctx.layer.name}_scale`, dims, Float32Array.from(scale));
  const b = ctx.g.addFloatInitializer(`${ctx.layer.name}_shift`, dims, Float32Array.from(shift));
  const mul = ctx.g.addNode("Mul", `${ctx.layer.name}_mul`, [v.name, s]);
  return { name: ctx.g.addNode("Add", `${ctx.layer.name}_add`, [mul, b]), rank: v.rank };
}

/** Reshape [N,F] -> [N,F'] or TF [N,H,W,C] (Reshape in NHWC, then Transpose to NCHW). */
function reshape(ctx: LayerContext): Value {
  const v = one(ctx);
  const target = (ctx.config.targetShape as number[]).map(Number);
  if (v.rank !== 2)
    unsupported(ctx.layer, `input rank ${v.rank} (Reshape is exported from [N, features] only)`);
  const shape = ctx.g.addInt64Initializer(`${ctx.layer.name}_shape`, [-1, ...target]);
  const reshaped = ctx.g.addNode("Reshape", ctx.layer.name, [v.name, shape]);
  if (target.length === 1) return { name: reshaped, rank: 2 };
  if (target.length !== 3) unsupported(ctx.layer, `target shape [${target}] (rank 1 or 3 only)`);
  return {
    name: ctx.g.addNode("Transpose", `${ctx.layer.name}_nchw`, [reshaped], { perm: [0, 3, 1, 2] }),
    rank: 4,
  };
}

function checkInputs(model: tfl.LayersModel): void {
  const shapes = model.inputs.map((t) => t.shape);
  const ok =
    shapes.length === 2 &&
    shapes[0]?.length === 2 &&
    shapes[0][1] === LATENT_SIZE &&
    shapes[1]?.length === 2 &&
    shapes[1][1] === NUM_CLASSES;
  if (!ok) {
    throw new Error(
      `generator inputs must be [z: [N, ${LATENT_SIZE}], label: [N, ${NUM_CLASSES}]], got ${JSON.stringify(shapes)}`,
    );
  }
}

function checkOutput(model: tfl.LayersModel, values: Map<string, Value>): Value {
  const [output, ...rest] = model.outputs;
  const expected = [null, IMAGE_SIZE, IMAGE_SIZE, IMAGE_CHANNELS];
  if (!output || rest.length > 0 || JSON.stringify(output.shape) !== JSON.stringify(expected)) {
    throw new Error(
      `generator must have one output of shape ${JSON.stringify(expected)}, got ${JSON.stringify(model.outputs.map((o) => o.shape))}`,
    );
  }
  const v = values.get(output.sourceLayer.name);
  if (v?.rank !== 4)
    throw new Error(`generator output ${output.sourceLayer.name} was not exported`);
  return v;
}
