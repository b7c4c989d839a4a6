/**
 * The DCGAN discriminator's first convolution over [image ++ 10 constant label maps], computed
 * without building the label maps. A convolution is linear in its input channels:
 *
 *   conv([x, L(c)], W) = conv(x, W_image) + conv(L(c), W_labels)
 *
 * and the second term depends only on the class c, not on the image. So each call convolves the
 * 10 possible label-map stacks once ([10,28,28,10] -> [10,14,14,F]) and gives every image its
 * class's response through a [N,10] x [10, 14*14*F] product. The response is a full map, not one
 * vector per class: near the borders the zero padding cuts kernel taps off, so it varies with
 * position. The product is exact for one-hot labels and, like the concatenation, linear in the
 * label. The image term alone is 1/11 of the plain convolution's work; the 10-stack costs as much
 * as 10 images, once per call.
 *
 * Weights are those of the plain Conv2D it replaces (kernel [4,4,11,F] with the image channel
 * first, bias [F]; same names, same order), so checkpoints and tests can swap one for the other.
 * With `spectralNorm` the kernel is divided by its largest singular value (spectral-norm.ts), the
 * whole [4,4,11,F] kernel as the plain convolution's, and the power-iteration vectors follow the
 * bias as non-trainable weights.
 */
import { IMAGE_CHANNELS, IMAGE_SIZE, NUM_CLASSES } from "@edgegan/shared";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { kernelInit } from "./init.ts";
import { SpectralNorm } from "./spectral-norm.ts";

const KERNEL = 4;
const STRIDE = 2;

export interface LabelMapConvArgs {
  name: string;
  /** Output channels F. */
  filters: number;
  /** Divide the kernel by its largest singular value (D with --spectral-norm). */
  spectralNorm?: boolean;
}

export class LabelMapConv2D extends tfl.layers.Layer {
  static readonly className = "LabelMapConv2D";
  private readonly filters: number;
  private readonly normalised: boolean;
  private kernel: tfl.LayerVariable | null = null;
  private bias: tfl.LayerVariable | null = null;
  spectralNorm: SpectralNorm | null = null;
  /** The 10 label-map stacks, one per class: [10, 28, 28, 10] (kept across calls). */
  private labelMaps: tf.Tensor4D | null = null;

  constructor(args: LabelMapConvArgs) {
    super({ name: args.name });
    this.filters = args.filters;
    this.normalised = args.spectralNorm ?? false;
  }

  override build(): void {
    const channels = IMAGE_CHANNELS + NUM_CLASSES;
    this.kernel = this.addWeight(
      "kernel",
      [KERNEL, KERNEL, channels, this.filters],
      "float32",
      kernelInit(),
    );
    this.bias = this.addWeight("bias", [this.filters], "float32", tfl.initializers.zeros());
    if (this.normalised) {
      this.spectralNorm = new SpectralNorm(this.kernel, this.addWeight.bind(this));
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const [image] = inputShape as tfl.Shape[];
    const size = IMAGE_SIZE / STRIDE;
    return [image?.[0] ?? null, size, size, this.filters];
  }

  /** inputs: image [N,28,28,1], one-hot label [N,10] -> [N,14,14,F]. */
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const [image, label] = inputs as [tf.Tensor4D, tf.Tensor2D];
    if (!this.kernel || !this.bias) throw new Error(`${this.name} called before it was built`);
    const { kernel: variable, spectralNorm } = this;
    const bias = this.bias.read();
    this.labelMaps ??= tf.keep(
      tf.tidy(() =>
        tf.tile(tf.reshape(tf.eye(NUM_CLASSES), [NUM_CLASSES, 1, 1, NUM_CLASSES]), [
          1,
          IMAGE_SIZE,
          IMAGE_SIZE,
          1,
        ]),
      ) as tf.Tensor4D,
    );
    const maps = this.labelMaps;
    return tf.tidy(() => {
      const kernel = (spectralNorm?.normalisedKernel() ?? variable.read()) as tf.Tensor4D;
      const f = this.filters;
      const imageKernel = tf.slice(kernel, [0, 0, 0, 0], [KERNEL, KERNEL, IMAGE_CHANNELS, f]);
      const labelKernel = tf.slice(
        kernel,
        [0, 0, IMAGE_CHANNELS, 0],
        [KERNEL, KERNEL, NUM_CLASSES, f],
      );
      const imageTerm = tf.conv2d(image, imageKernel, STRIDE, "same"); // [N,14,14,F]
      const perClass = tf.conv2d(maps, labelKernel, STRIDE, "same"); // [10,14,14,F]
      const [, h, w] = perClass.shape;
      const labelTerm = tf.reshape(tf.matMul(label, tf.reshape(perClass, [NUM_CLASSES, -1])), [
        image.shape[0],
        h,
        w,
        f,
      ]); // [N,14,14,F]
      return tf.add(tf.add(imageTerm, labelTerm), bias);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), filters: this.filters, spectralNorm: this.normalised };
  }
}
tf.serialization.registerClass(LabelMapConv2D);
