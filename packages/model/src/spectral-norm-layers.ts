/**
 * D's dense and convolution layers with spectral normalisation (spectral-norm.ts): the same
 * computation as tf.layers' dense and conv2d ('same' padding, no activation), on the kernel
 * divided by its largest singular value. Weights in layer order: kernel, bias (when used), then
 * the non-trainable power-iteration vectors sn_u and sn_v.
 */
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { kernelInit } from "./init.ts";
import { SpectralNorm } from "./spectral-norm.ts";

export interface SpectralNormDenseArgs {
  name: string;
  units: number;
  /** Add a bias (default true). */
  useBias?: boolean;
}

/** Dense [N, n_in] -> [N, units] with the kernel [n_in, units] spectrally normalised. */
export class SpectralNormDense extends tfl.layers.Layer {
  static readonly className = "SpectralNormDense";
  private readonly units: number;
  private readonly useBias: boolean;
  private kernel: tfl.LayerVariable | null = null;
  private bias: tfl.LayerVariable | null = null;
  spectralNorm: SpectralNorm | null = null;

  constructor(args: SpectralNormDenseArgs) {
    super({ name: args.name });
    this.units = args.units;
    this.useBias = args.useBias ?? true;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const inputs = (inputShape as tfl.Shape).at(-1) as number;
    this.kernel = this.addWeight("kernel", [inputs, this.units], "float32", kernelInit());
    if (this.useBias) {
      this.bias = this.addWeight("bias", [this.units], "float32", tfl.initializers.zeros());
    }
    this.spectralNorm = new SpectralNorm(this.kernel, this.addWeight.bind(this));
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    return [(inputShape as tfl.Shape)[0] ?? null, this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor2D; // [N, n_in]
    if (!this.spectralNorm) throw new Error(`${this.name} called before it was built`);
    const bias = this.bias?.read() ?? null;
    const norm = this.spectralNorm;
    return tf.tidy(() => {
      const y = tf.matMul(x, norm.normalisedKernel() as tf.Tensor2D); // [N, units]
      return bias ? tf.add(y, bias) : y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units, useBias: this.useBias };
  }
}
tf.serialization.registerClass(SpectralNormDense);

export interface SpectralNormConv2DArgs {
  name: string;
  filters: number;
  kernelSize: number;
  strides: number;
}

/** Conv2D ('same' padding, with bias) [N, H, W, C] -> [N, H/s, W/s, F], kernel spectrally normalised. */
export class SpectralNormConv2D extends tfl.layers.Layer {
  static readonly className = "SpectralNormConv2D";
  private readonly filters: number;
  private readonly kernelSize: number;
  private readonly strides: number;
  private kernel: tfl.LayerVariable | null = null;
  private bias: tfl.LayerVariable | null = null;
  spectralNorm: SpectralNorm | null = null;

  constructor(args: SpectralNormConv2DArgs) {
    super({ name: args.name });
    this.filters = args.filters;
    this.kernelSize = args.kernelSize;
    this.strides = args.strides;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const channels = (inputShape as tfl.Shape).at(-1) as number;
    const k = this.kernelSize;
    this.kernel = this.addWeight("kernel", [k, k, channels, this.filters], "float32", kernelInit());
    this.bias = this.addWeight("bias", [this.filters], "float32", tfl.initializers.zeros());
    this.spectralNorm = new SpectralNorm(this.kernel, this.addWeight.bind(this));
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const [n, h, w] = inputShape as tfl.Shape;
    const out = (size: number | null | undefined) =>
      size == null ? null : Math.ceil(size / this.strides);
    return [n ?? null, out(h), out(w), this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D; // [N, H, W, C]
    if (!this.spectralNorm || !this.bias)
      throw new Error(`${this.name} called before it was built`);
    const bias = this.bias.read();
    const norm = this.spectralNorm;
    return tf.tidy(() =>
      tf.add(tf.conv2d(x, norm.normalisedKernel() as tf.Tensor4D, this.strides, "same"), bias),
    ); // [N, H/s, W/s, F]
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: this.kernelSize,
      strides: this.strides,
    };
  }
}
tf.serialization.registerClass(SpectralNormConv2D);
