/**
 * Discriminator builders: (image, one-hot label) -> one logit per image (no sigmoid; the losses
 * use the numerically stable sigmoid cross-entropy on logits).
 *
 * The DCGAN discriminator sees the label as 10 constant "label map" channels beside the image:
 * with one-sided label smoothing it reached ~98% class accuracy where a projection discriminator
 * collapsed (docs/design-notes.md). No Embedding layer: the wasm backend cannot train it.
 */
import type { Architecture } from "@edgegan/shared";
import { IMAGE_CHANNELS, IMAGE_SIZE, NUM_CLASSES } from "@edgegan/shared";
import * as tfl from "@tensorflow/tfjs-layers";
import { assertArchitecture } from "./architecture.ts";
import { BN_EPSILON, BN_MOMENTUM, gammaInit, kernelInit, LEAKY_ALPHA } from "./init.ts";
import { LabelMapConv2D } from "./label-map-conv.ts";
import { MinibatchStddev } from "./minibatch-stddev.ts";
import { SpectralNormConv2D, SpectralNormDense } from "./spectral-norm-layers.ts";

/**
 * Build the class-conditional discriminator.
 *
 * Inputs: `image` float32 [N, 28, 28, 1] in [-1, 1] and `label` float32 [N, NUM_CLASSES] one-hot.
 * Output: logits float32 [N, 1] (real > 0 > fake after training).
 *
 * @param arch "dcgan" (label maps + conv 64 / conv 128 + BN, LeakyReLU 0.2) or "mlp"
 *   (dense 1024-256-128-1, LeakyReLU 0.2).
 * @param conditioning for "dcgan": how the first convolution sees the label maps (same result).
 * @param options.spectralNorm every conv and dense kernel divided by its largest singular value
 *   (spectral-norm.ts), and no BatchNorm: it would rescale the normalised convolution's output
 *   and undo the bound (Miyato et al.'s discriminators have none); d_conv1 then has a bias.
 * @param options.minibatchStddev the last hidden features get one more channel, the batch's
 *   standard deviation (minibatch-stddev.ts): d_logit's kernel grows from 6272 to 6321 rows
 *   (7x7x129) for the DCGAN, from 128 to 129 for the MLP.
 * @param options.projection the label is also scored by projection (Miyato & Koyama 2018):
 *   logit = d_logit(phi) + <e_label, phi>, phi the features d_logit reads, e_label row `label` of
 *   d_embed's kernel [10, F] (no bias; spectrally normalised with the rest). The label maps stay.
 */
export function buildDiscriminator(
  arch: Architecture = "dcgan",
  conditioning: LabelConditioning = "label-map-conv",
  { spectralNorm = false, minibatchStddev = false, projection = false }: DiscriminatorOptions = {},
): tfl.LayersModel {
  assertArchitecture(arch);
  const image = tfl.input({ shape: [IMAGE_SIZE, IMAGE_SIZE, IMAGE_CHANNELS], name: "image" }); // [N, 28, 28, 1]
  const label = tfl.input({ shape: [NUM_CLASSES], name: "label" }); // [N, 10]
  const options = { spectralNorm, minibatchStddev, projection };
  const logits =
    arch === "dcgan"
      ? dcganBody(image, label, conditioning, options)
      : mlpBody(image, label, options);
  return tfl.model({ inputs: [image, label], outputs: logits, name: `discriminator_${arch}` });
}

/** D's recipe options (createGan passes the GAN settings of the same names). */
export interface DiscriminatorOptions {
  spectralNorm?: boolean;
  minibatchStddev?: boolean;
  projection?: boolean;
}

/** x with the batch's standard deviation as one more channel, or x itself. */
function withBatchSpread(x: tfl.SymbolicTensor, on: boolean): tfl.SymbolicTensor {
  return on ? (new MinibatchStddev({ name: "d_batch_stddev" }).apply(x) as tfl.SymbolicTensor) : x;
}

function leaky(name: string, x: tfl.SymbolicTensor): tfl.SymbolicTensor {
  return tfl.layers.leakyReLU({ name, alpha: LEAKY_ALPHA }).apply(x) as tfl.SymbolicTensor;
}

/** How D's first convolution sees the label (the same function and weights either way). */
export type LabelConditioning = "label-map-conv" | "concatenated-maps";

/** A 4x4 stride-2 'same' convolution: spectrally normalised (with bias), or tf.layers' own. */
function downConv(
  x: tfl.SymbolicTensor,
  name: string,
  filters: number,
  { spectralNorm, useBias }: { spectralNorm: boolean; useBias: boolean },
): tfl.SymbolicTensor {
  const layer = spectralNorm
    ? new SpectralNormConv2D({ name, filters, kernelSize: 4, strides: 2 })
    : tfl.layers.conv2d({
        name,
        filters,
        kernelSize: 4,
        strides: 2,
        padding: "same",
        useBias,
        kernelInitializer: kernelInit(),
      });
  return layer.apply(x) as tfl.SymbolicTensor;
}

/** A dense layer: spectrally normalised, or tf.layers' own. */
function dense(
  x: tfl.SymbolicTensor,
  name: string,
  units: number,
  spectralNorm: boolean,
  useBias = true,
): tfl.SymbolicTensor {
  const layer = spectralNorm
    ? new SpectralNormDense({ name, units, useBias })
    : tfl.layers.dense({ name, units, useBias, kernelInitializer: kernelInit() });
  return layer.apply(x) as tfl.SymbolicTensor;
}

/**
 * The logit of features `phi` [N, F] for `label` [N, 10]: d_logit(phi) [N, 1], plus with
 * projection <label d_embed, phi> [N, 1] (one-hot times the embedding picks the label's row).
 */
function logitOf(
  phi: tfl.SymbolicTensor,
  label: tfl.SymbolicTensor,
  { spectralNorm, projection }: Required<DiscriminatorOptions>,
): tfl.SymbolicTensor {
  const unconditional = dense(phi, "d_logit", 1, spectralNorm); // [N, 1]
  if (!projection) return unconditional;
  const features = phi.shape.at(-1) as number;
  const embedded = dense(label, "d_embed", features, spectralNorm, false); // [N, F]
  const match = tfl.layers
    .dot({ name: "d_projection", axes: 1 })
    .apply([embedded, phi]) as tfl.SymbolicTensor; // [N, 1]
  return tfl.layers
    .add({ name: "d_logit_projected" })
    .apply([unconditional, match]) as tfl.SymbolicTensor;
}

/**
 * [N,28,28,1] + [N,10] -> conv over [N,28,28,11] -> [N,14,14,64] -> [N,7,7,128] (-> [N,7,7,129]
 * with the batch's spread) -> [N,1].
 * `concatenated-maps` builds the 10 label maps and concatenates them to the image, as written;
 * `label-map-conv` (the default) computes the same convolution without them (label-map-conv.ts).
 */
function dcganBody(
  image: tfl.SymbolicTensor,
  label: tfl.SymbolicTensor,
  conditioning: LabelConditioning,
  options: Required<DiscriminatorOptions>,
): tfl.SymbolicTensor {
  const { spectralNorm, minibatchStddev } = options;
  const filters = 64;
  let x: tfl.SymbolicTensor;
  if (conditioning === "label-map-conv") {
    x = new LabelMapConv2D({ name: "d_conv0", filters, spectralNorm }).apply([
      image,
      label,
    ]) as tfl.SymbolicTensor;
  } else {
    // One-hot tiled over every pixel: [N,10] -> [N,784,10] -> [N,28,28,10].
    let maps = tfl.layers
      .repeatVector({ name: "d_label_repeat", n: IMAGE_SIZE * IMAGE_SIZE })
      .apply(label) as tfl.SymbolicTensor;
    maps = tfl.layers
      .reshape({ name: "d_label_maps", targetShape: [IMAGE_SIZE, IMAGE_SIZE, NUM_CLASSES] })
      .apply(maps) as tfl.SymbolicTensor;
    x = tfl.layers
      .concatenate({ name: "d_concat", axis: -1 })
      .apply([image, maps]) as tfl.SymbolicTensor; // [N,28,28,11]
    x = downConv(x, "d_conv0", filters, { spectralNorm, useBias: true });
  } // [N,14,14,64]
  x = leaky("d_lrelu0", x);
  // without spectral normalisation, BatchNorm follows (and makes a bias redundant)
  x = downConv(x, "d_conv1", 128, { spectralNorm, useBias: spectralNorm }); // [N,7,7,128]
  if (!spectralNorm) {
    x = tfl.layers
      .batchNormalization({
        name: "d_bn1",
        momentum: BN_MOMENTUM,
        epsilon: BN_EPSILON,
        gammaInitializer: gammaInit(),
      })
      .apply(x) as tfl.SymbolicTensor;
  }
  x = withBatchSpread(leaky("d_lrelu1", x), minibatchStddev); // [N,7,7,128 (+1)]
  x = tfl.layers.flatten({ name: "d_flatten" }).apply(x) as tfl.SymbolicTensor; // [N,6272 (6321)]
  return logitOf(x, label, options); // [N,1]
}

/** Flatten(image) ++ label: [N,794] -> 1024 -> 256 -> 128 (+1 with the batch's spread) -> 1. */
function mlpBody(
  image: tfl.SymbolicTensor,
  label: tfl.SymbolicTensor,
  options: Required<DiscriminatorOptions>,
): tfl.SymbolicTensor {
  const { spectralNorm, minibatchStddev } = options;
  const flat = tfl.layers.flatten({ name: "d_flatten" }).apply(image) as tfl.SymbolicTensor; // [N,784]
  let x = tfl.layers.concatenate({ name: "d_concat" }).apply([flat, label]) as tfl.SymbolicTensor; // [N,794]
  for (const [i, units] of [1024, 256, 128].entries()) {
    x = leaky(`d_lrelu${i}`, dense(x, `d_dense${i}`, units, spectralNorm));
  }
  return logitOf(withBatchSpread(x, minibatchStddev), label, options); // [N,1]
}
