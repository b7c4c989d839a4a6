/**
 * Generator builders: (z, one-hot label) -> image in [-1, 1], NHWC as TF.js lays it out.
 *
 * Pure functions: each call builds a fresh tf.LayersModel with new weights; nothing global is touched.
 * The ONNX exporter (export-onnx.ts) knows exactly the layer types used here.
 */
import type { Architecture } from "@edgegan/shared";
import { IMAGE_CHANNELS, IMAGE_SIZE, LATENT_SIZE, NUM_CLASSES } from "@edgegan/shared";
import { DEFAULT_GAN_SETTINGS, ganSettingsSchema } from "@edgegan/shared/train-config";
import * as tfl from "@tensorflow/tfjs-layers";
import { assertArchitecture } from "./architecture.ts";
import { BN_EPSILON, BN_MOMENTUM, gammaInit, kernelInit, LEAKY_ALPHA } from "./init.ts";

/** Spatial size of the DCGAN generator's first feature map (7x7). */
const DCGAN_BASE_SIZE = IMAGE_SIZE / 4;

const widthSchema = ganSettingsSchema.shape.generatorWidth;

/** @throws Error naming the bad width and what is accepted (the trainer's --generator-width bounds). */
function assertGeneratorWidth(width: number): void {
  const result = widthSchema.safeParse(width);
  if (!result.success) {
    throw new Error(
      `generatorWidth ${width}: ${result.error.issues.map((i) => i.message).join("; ")}`,
    );
  }
}

/** Multiply-accumulates of one DCGAN generator image at `width` (dense + both transposed convs). */
export function dcganGeneratorMacs(width: number): number {
  const s = DCGAN_BASE_SIZE;
  const dense = (LATENT_SIZE + NUM_CLASSES) * s * s * width;
  // a k4 s2 transposed conv touches each output pixel through 4 kernel taps per input channel
  const deconv1 = (2 * s) ** 2 * (width / 2) * width * 4;
  const deconv2 = IMAGE_SIZE ** 2 * IMAGE_CHANNELS * (width / 2) * 4;
  return dense + deconv1 + deconv2;
}

function batchNorm(name: string) {
  return tfl.layers.batchNormalization({
    name,
    momentum: BN_MOMENTUM,
    epsilon: BN_EPSILON,
    gammaInitializer: gammaInit(),
  });
}

/**
 * Build the class-conditional generator.
 *
 * Inputs: `z` float32 [N, LATENT_SIZE] ~ N(0, 1) and `label` float32 [N, NUM_CLASSES] one-hot.
 * Output: float32 [N, 28, 28, 1] in [-1, 1] (tanh).
 *
 * @param arch "dcgan" (dense 7x7xW + two stride-2 transposed convs, BatchNorm) or "mlp"
 *   (dense 128-256-1024-784, LeakyReLU 0.2).
 * @param width the DCGAN's W, channels of its 7x7 map (default and bounds: the shared
 *   ganSettingsSchema's generatorWidth); the MLP has no width and ignores it.
 * @example
 * const g = buildGenerator("dcgan");        // 7x7x128 -> 14x14x64 -> 28x28x1
 * const lean = buildGenerator("dcgan", 64); // 7x7x64 -> 14x14x32 -> 28x28x1
 * const images = g.predict([z, labels]) as tf.Tensor4D; // [N, 28, 28, 1]
 */
export function buildGenerator(
  arch: Architecture = DEFAULT_GAN_SETTINGS.arch,
  width: number = DEFAULT_GAN_SETTINGS.generatorWidth,
): tfl.LayersModel {
  assertArchitecture(arch);
  assertGeneratorWidth(width);
  const z = tfl.input({ shape: [LATENT_SIZE], name: "z" }); // [N, 100]
  const label = tfl.input({ shape: [NUM_CLASSES], name: "label" }); // [N, 10]
  const zl = tfl.layers.concatenate({ name: "g_concat" }).apply([z, label]) as tfl.SymbolicTensor; // [N, 110]
  const image = arch === "dcgan" ? dcganGeneratorBody(zl, width) : mlpGeneratorBody(zl);
  return tfl.model({ inputs: [z, label], outputs: image, name: `generator_${arch}` });
}

/** [N, 110] -> [N, 28, 28, 1] through 7x7xW -> 14x14x(W/2) -> 28x28x1. */
function dcganGeneratorBody(zl: tfl.SymbolicTensor, channels: number): tfl.SymbolicTensor {
  const size = DCGAN_BASE_SIZE;
  let x = tfl.layers
    .dense({
      name: "g_dense",
      units: size * size * channels,
      useBias: false,
      kernelInitializer: kernelInit(),
    })
    .apply(zl) as tfl.SymbolicTensor; // [N, 49 * W]
  x = batchNorm("g_bn0").apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.reLU({ name: "g_relu0" }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers
    .reshape({ name: "g_reshape", targetShape: [size, size, channels] })
    .apply(x) as tfl.SymbolicTensor; // [N, 7, 7, W]
  x = tfl.layers
    .conv2dTranspose({
      name: "g_deconv1",
      filters: channels / 2,
      kernelSize: 4,
      strides: 2,
      padding: "same",
      useBias: false,
      kernelInitializer: kernelInit(),
    })
    .apply(x) as tfl.SymbolicTensor; // [N, 14, 14, W / 2]
  x = batchNorm("g_bn1").apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.reLU({ name: "g_relu1" }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers
    .conv2dTranspose({
      name: "g_deconv2",
      filters: IMAGE_CHANNELS,
      kernelSize: 4,
      strides: 2,
      padding: "same",
      useBias: true,
      kernelInitializer: kernelInit(),
    })
    .apply(x) as tfl.SymbolicTensor; // [N, 28, 28, 1]
  return tfl.layers
    .activation({ name: "g_tanh", activation: "tanh" })
    .apply(x) as tfl.SymbolicTensor;
}

/** [N, 110] -> dense 128-256-1024 (LeakyReLU 0.2) -> dense 784 tanh -> [N, 28, 28, 1]. */
function mlpGeneratorBody(zl: tfl.SymbolicTensor): tfl.SymbolicTensor {
  let x = zl;
  for (const [i, units] of [128, 256, 1024].entries()) {
    x = tfl.layers
      .dense({ name: `g_dense${i}`, units, kernelInitializer: kernelInit() })
      .apply(x) as tfl.SymbolicTensor;
    x = tfl.layers
      .leakyReLU({ name: `g_lrelu${i}`, alpha: LEAKY_ALPHA })
      .apply(x) as tfl.SymbolicTensor;
  }
  x = tfl.layers
    .dense({
      name: "g_dense_out",
      units: IMAGE_SIZE * IMAGE_SIZE * IMAGE_CHANNELS,
      activation: "tanh",
      kernelInitializer: kernelInit(),
    })
    .apply(x) as tfl.SymbolicTensor; // [N, 784]
  return tfl.layers
    .reshape({ name: "g_reshape", targetShape: [IMAGE_SIZE, IMAGE_SIZE, IMAGE_CHANNELS] })
    .apply(x) as tfl.SymbolicTensor; // [N, 28, 28, 1]
}
