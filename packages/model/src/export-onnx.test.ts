import { ARCHITECTURES, ONNX_IO, ONNX_OPSET } from "@edgegan/shared";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";
import { useCpuBackend } from "../test/cpu-backend.ts";
import { exportGeneratorToOnnx } from "./export-onnx.ts";
import { buildGenerator } from "./generator.ts";
import { toFloat16Weights } from "./onnx-float16.ts";
import { decodeOnnx, encodeOnnx, inspectOnnx } from "./onnx-inspect.ts";
import { checkOnnxParity } from "./onnx-parity.ts";

beforeAll(() => useCpuBackend());

/**
 * Give every BatchNorm layer non-trivial statistics and affine parameters, so an export that
 * ignores, misreads or misfolds any of them shows up as a parity failure.
 */
function randomizeBatchNorm(model: tfl.LayersModel, seed: number): void {
  for (const layer of model.layers.filter((l) => l.getClassName() === "BatchNormalization")) {
    // getWeights() hands out the live variables: read the shape, never dispose them.
    const shape = (layer.getWeights()[0] as tf.Tensor).shape;
    layer.setWeights([
      tf.randomUniform(shape, 0.5, 1.5, "float32", seed),
      tf.randomNormal(shape, 0, 0.3, "float32", seed + 1),
      tf.randomNormal(shape, 0, 0.05, "float32", seed + 2),
      // Near the real pre-activation variances (~0.01-0.05 at init): tanh stays unsaturated,
      // so output differences stay visible.
      tf.randomUniform(shape, 0.01, 0.05, "float32", seed + 3),
    ]);
  }
}

/**
 * Dense kernels ~ N(0, 1/fan_in) and biases ~ N(0, 0.1): at DCGAN init (0.02) the MLP's output is
 * ~0, which would make any parity figure look good. Used for the MLP (no BatchNorm to rescale).
 */
function randomizeDense(model: tfl.LayersModel, seed: number): void {
  for (const layer of model.layers.filter((l) => l.getClassName() === "Dense")) {
    const [kernel, bias] = layer.getWeights() as [tf.Tensor, tf.Tensor];
    const fanIn = kernel.shape[0] as number;
    layer.setWeights([
      tf.randomNormal(kernel.shape, 0, 1 / Math.sqrt(fanIn), "float32", seed),
      tf.randomNormal(bias.shape, 0, 0.1, "float32", seed + 1),
    ]);
  }
}

describe.each(ARCHITECTURES)("exportGeneratorToOnnx (%s)", (arch) => {
  const generator = () => {
    const g = buildGenerator(arch);
    randomizeBatchNorm(g, 7);
    if (arch === "mlp") randomizeDense(g, 13);
    return g;
  };

  it("writes the contract's I/O, opset and no BatchNormalization node", () => {
    const s = inspectOnnx(exportGeneratorToOnnx(generator(), arch));
    expect(s.opset).toBe(ONNX_OPSET);
    expect(s.inputs).toEqual([
      { name: ONNX_IO.latentInput, dims: [ONNX_IO.batchDim, 100] },
      { name: ONNX_IO.labelInput, dims: [ONNX_IO.batchDim, 10] },
    ]);
    expect(s.outputs).toEqual([{ name: ONNX_IO.imageOutput, dims: [ONNX_IO.batchDim, 1, 28, 28] }]);
    expect(s.nodes.map((n) => n.opType)).not.toContain("BatchNormalization");
    expect(s.nodes.at(-1)?.outputs).toEqual([ONNX_IO.imageOutput]);
    expect(s.metadata.arch).toBe(arch);
  });

  it("matches the TF.js generator to 1e-4 on 64 samples", async () => {
    const g = generator();
    const probe = tf.tidy(() =>
      Array.from(
        (
          g.predict([
            tf.randomNormal([8, 100]),
            tf.cast(tf.oneHot(tf.range(0, 8, 1, "int32"), 10), "float32"),
          ]) as tf.Tensor
        ).dataSync(),
      ),
    );
    const rms = Math.sqrt(probe.reduce((a, v) => a + v * v, 0) / probe.length);
    expect(rms).toBeGreaterThan(0.2); // outputs are not ~0 ...
    expect(probe.filter((v) => Math.abs(v) > 0.99).length / probe.length).toBeLessThan(0.2); // ... nor saturated
    const { maxAbsDiff, samples } = await checkOnnxParity(g, exportGeneratorToOnnx(g, arch), {
      seed: 3,
    });
    console.log(
      `parity ${arch}: maxAbsDiff ${maxAbsDiff.toExponential(2)} over ${samples} samples`,
    );
    expect(samples).toBe(64);
    expect(maxAbsDiff).toBeLessThanOrEqual(1e-4);
  });
});

describe("exportGeneratorToOnnx (dcgan graph)", () => {
  it("folds both BatchNorms into Gemm / ConvTranspose and pads TF 'same' k4 s2 by 1 on each side", () => {
    const bytes = exportGeneratorToOnnx(buildGenerator("dcgan"), "dcgan");
    const s = inspectOnnx(bytes);
    expect(s.nodes.map((n) => n.opType)).toEqual([
      "Concat",
      "Gemm",
      "Relu",
      "Reshape",
      "Transpose",
      "ConvTranspose",
      "Relu",
      "ConvTranspose",
      "Tanh",
    ]);
    const dims = Object.fromEntries(s.initializers.map((i) => [i.name, i.dims]));
    expect(dims.g_deconv1_g_bn1_W).toEqual([128, 64, 4, 4]); // [inC, outC, kh, kw]
    expect(dims.g_deconv2_W).toEqual([64, 1, 4, 4]);
    const deconv = decodeOnnx(bytes).graph?.node?.find((n) => n.opType === "ConvTranspose");
    const pads = deconv?.attribute?.find((a) => a.name === "pads")?.ints?.map(Number);
    expect(pads).toEqual([1, 1, 1, 1]);
  });

  it("BatchNorm statistics reach the graph: re-randomised statistics fail parity against the old export", async () => {
    const g = buildGenerator("dcgan");
    randomizeBatchNorm(g, 21);
    const bytes = exportGeneratorToOnnx(g, "dcgan");
    const out = tf.tidy(() =>
      (
        g.predict([
          tf.randomNormal([8, 100]),
          tf.cast(tf.oneHot(tf.range(0, 8, 1, "int32"), 10), "float32"),
        ]) as tf.Tensor
      ).dataSync(),
    );
    // Mostly unsaturated tanh, or the comparison would be blind.
    expect(out.filter((v) => Math.abs(v) > 0.99).length / out.length).toBeLessThan(0.1);
    expect((await checkOnnxParity(g, bytes, { samples: 8 })).maxAbsDiff).toBeLessThanOrEqual(1e-4);
    randomizeBatchNorm(g, 99);
    expect((await checkOnnxParity(g, bytes, { samples: 8 })).maxAbsDiff).toBeGreaterThan(1e-2);
  });

  it("a deliberately wrong graph fails parity (wrong pads, wrong layout)", async () => {
    const g = buildGenerator("dcgan");
    randomizeBatchNorm(g, 11);
    const bytes = exportGeneratorToOnnx(g, "dcgan");

    const badPads = decodeOnnx(bytes);
    for (const n of badPads.graph?.node ?? []) {
      for (const a of n.attribute ?? []) if (a.name === "pads") a.ints = [0, 0, 2, 2];
    }
    const noTranspose = decodeOnnx(bytes);
    const t = noTranspose.graph?.node?.find((n) => n.opType === "Transpose");
    for (const a of t?.attribute ?? []) a.ints = [0, 3, 2, 1]; // NCWH instead of NCHW: a layout bug

    for (const bad of [badPads, noTranspose]) {
      const { maxAbsDiff } = await checkOnnxParity(g, encodeOnnx(bad), { samples: 8, seed: 5 });
      expect(maxAbsDiff).toBeGreaterThan(1e-2);
    }
  });
});

describe("exportGeneratorToOnnx (other transposed-conv settings)", () => {
  it("maps odd-kernel 'same' (asymmetric pads) and 'valid' padding correctly", async () => {
    const z = tfl.input({ shape: [100] });
    const label = tfl.input({ shape: [10] });
    let x = tfl.layers.concatenate().apply([z, label]) as tfl.SymbolicTensor;
    x = tfl.layers.dense({ units: 7 * 7 * 4, activation: "relu" }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.reshape({ targetShape: [7, 7, 4] }).apply(x) as tfl.SymbolicTensor;
    const k3 = {
      filters: 3,
      kernelSize: 3,
      strides: 2,
      padding: "same" as const,
      activation: "relu" as const,
    };
    x = tfl.layers.conv2dTranspose(k3).apply(x) as tfl.SymbolicTensor; // [N,14,14,3]
    const k2 = {
      filters: 1,
      kernelSize: 2,
      strides: 2,
      padding: "valid" as const,
      activation: "tanh" as const,
    };
    x = tfl.layers.conv2dTranspose(k2).apply(x) as tfl.SymbolicTensor; // [N,28,28,1]
    const g = tfl.model({ inputs: [z, label], outputs: x });
    const bytes = exportGeneratorToOnnx(g, "dcgan");
    const pads = (decodeOnnx(bytes).graph?.node ?? [])
      .filter((n) => n.opType === "ConvTranspose")
      .map((n) => n.attribute?.find((a) => a.name === "pads")?.ints?.map(Number));
    expect(pads).toEqual([
      [0, 0, 1, 1],
      [0, 0, 0, 0],
    ]);
    const { maxAbsDiff } = await checkOnnxParity(g, bytes, { samples: 16, seed: 9 });
    expect(maxAbsDiff).toBeLessThanOrEqual(1e-4);
  });
});

describe("exportGeneratorToOnnx (latent temperature)", () => {
  const generator = () => {
    const g = buildGenerator("dcgan", 16);
    randomizeBatchNorm(g, 31);
    return g;
  };

  it("scales z by T in one Mul before the generator: the graph at T gives G(T z), checked by the parity gate", async () => {
    const g = generator();
    const bytes = exportGeneratorToOnnx(g, "dcgan", { latentTemperature: 0.5 });
    const s = inspectOnnx(bytes);
    expect(s.inputs.map((i) => i.name)).toEqual([ONNX_IO.latentInput, ONNX_IO.labelInput]);
    const [scale, concat] = s.nodes;
    expect(scale?.opType).toBe("Mul");
    expect(scale?.inputs[0]).toBe(ONNX_IO.latentInput);
    expect(concat?.opType).toBe("Concat");
    expect(concat?.inputs[0]).toBe(scale?.outputs[0]);
    expect(s.initializers.find((i) => i.name === "latent_temperature")?.dims).toEqual([]);
    expect(s.metadata.latent_temperature).toBe("0.5");
    // the gate told the temperature agrees; told none, it sees G(z) against G(z / 2)
    expect(
      (await checkOnnxParity(g, bytes, { samples: 16, latentTemperature: 0.5 })).maxAbsDiff,
    ).toBeLessThanOrEqual(1e-4);
    expect((await checkOnnxParity(g, bytes, { samples: 16 })).maxAbsDiff).toBeGreaterThan(1e-2);
  });

  it("at T = 1 (the default) the graph has no Mul and no temperature in its metadata", () => {
    const g = generator();
    const s = inspectOnnx(exportGeneratorToOnnx(g, "dcgan", { latentTemperature: 1 }));
    expect(s.nodes.map((n) => n.opType)).not.toContain("Mul");
    expect(s.metadata).not.toHaveProperty("latent_temperature");
    expect(exportGeneratorToOnnx(g, "dcgan", { latentTemperature: 1 })).toEqual(
      exportGeneratorToOnnx(g, "dcgan"),
    );
  });

  it("float16 weights keep the temperature a float32 scalar", async () => {
    const g = generator();
    const float16 = toFloat16Weights(exportGeneratorToOnnx(g, "dcgan", { latentTemperature: 0.7 }));
    const s = inspectOnnx(float16);
    expect(s.initializers.map((i) => i.name)).toContain("latent_temperature");
    expect(s.initializers.map((i) => i.name)).not.toContain("latent_temperature_float16");
    const { maxAbsDiff } = await checkOnnxParity(g, float16, {
      samples: 16,
      latentTemperature: 0.7,
    });
    expect(maxAbsDiff).toBeLessThanOrEqual(2e-3);
  });

  it.each([0, -0.5, Number.NaN, Number.POSITIVE_INFINITY])("refuses temperature %s", (t) => {
    expect(() => exportGeneratorToOnnx(generator(), "dcgan", { latentTemperature: t })).toThrow(
      /latent temperature must be a finite number > 0, got/,
    );
  });
});

describe("exportGeneratorToOnnx (refusals)", () => {
  it("refuses a layer type it does not know, naming it and the supported ones", () => {
    const z = tfl.input({ shape: [100] });
    const label = tfl.input({ shape: [10] });
    let x = tfl.layers.concatenate().apply([z, label]) as tfl.SymbolicTensor;
    x = tfl.layers.dense({ units: 784 }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.dropout({ rate: 0.5, name: "drop" }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.reshape({ targetShape: [28, 28, 1] }).apply(x) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: [z, label], outputs: x });
    expect(() => exportGeneratorToOnnx(model, "mlp")).toThrow(
      /drop of type Dropout.*supported layer types: InputLayer/,
    );
  });

  it("refuses a model whose inputs or output do not match the contract", () => {
    const z = tfl.input({ shape: [64] });
    const label = tfl.input({ shape: [10] });
    const x = tfl.layers.concatenate().apply([z, label]) as tfl.SymbolicTensor;
    const y = tfl.layers.reshape({ targetShape: [74] }).apply(x) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: [z, label], outputs: y });
    expect(() => exportGeneratorToOnnx(model, "mlp")).toThrow(/inputs must be \[z: \[N, 100\]/);
  });

  it("refuses an unknown architecture name", () => {
    expect(() => exportGeneratorToOnnx(buildGenerator("mlp"), "gan" as never)).toThrow(
      /accepted: dcgan, mlp/,
    );
  });
});
