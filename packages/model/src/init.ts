/**
 * Weight initialisers shared by the generator and discriminator builders.
 *
 * DCGAN practice (Radford et al. 2015): conv/dense kernels ~ N(0, 0.02), BatchNorm gamma ~ N(1, 0.02),
 * biases and beta zero. Kept in one place so both builders (and both architectures) agree.
 */
import * as tfl from "@tensorflow/tfjs-layers";

/** Kernel initialiser: N(0, 0.02). A fresh object per layer so seeds/state are never shared. */
export function kernelInit() {
  return tfl.initializers.randomNormal({ mean: 0, stddev: 0.02 });
}

/** BatchNorm gamma initialiser: N(1, 0.02). */
export function gammaInit() {
  return tfl.initializers.randomNormal({ mean: 1, stddev: 0.02 });
}

/**
 * BatchNorm settings used by every builder: momentum 0.9 (PyTorch's 0.1 update rate, which the
 * DCGAN runs in docs/design-notes.md used), epsilon 1e-5. The ONNX exporter reads epsilon back
 * from the layer config, so changing it here stays consistent.
 */
export const BN_MOMENTUM = 0.9;
export const BN_EPSILON = 1e-5;

/** Slope of LeakyReLU for negative inputs in both discriminators and the MLP generator. */
export const LEAKY_ALPHA = 0.2;
