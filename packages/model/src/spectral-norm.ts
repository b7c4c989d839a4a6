/**
 * Spectral normalisation of D's weights (`--spectral-norm`, Miyato et al. 2018): a layer computes
 * with W / sigma(W), sigma(W) its largest singular value, so each layer's Lipschitz constant is
 * at most 1 and D cannot sharpen without bound.
 *
 * sigma is estimated by power iteration on the kernel as a matrix W [n_in, n_out] (a conv kernel
 * [kh, kw, c_in, c_out] reshaped to [kh*kw*c_in, c_out]) with two unit vectors kept as the
 * layer's non-trainable weights, u [n_out] and v [n_in]. One iteration per training step, before
 * the step's updates (`powerIterate`):
 *
 *   v <- normalise(W u),   u <- normalise(W^T v),   sigma = v^T W u
 *
 * and every forward pass of the step computes W / (v^T W u) with u and v held constant (the
 * paper's formulation: the gradient reaches W through sigma, never u or v):
 *
 *   dL/dW = (G - <G, W/sigma> v u^T) / sigma,   G = dL/d(W/sigma)
 *
 * u and v are model weights, so the GAN state codec carries them into checkpoints and replicas,
 * and a replica, starting from the same u, v and W, iterates to the same values as the trainer.
 */
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";

/** Below this norm a vector is not scaled up further (as PyTorch's spectral_norm). */
const NORM_FLOOR = 1e-12;

/** `x / max(|x|, 1e-12)`. */
function normalise(x: tf.Tensor): tf.Tensor {
  return tf.div(x, tf.maximum(tf.norm(x), NORM_FLOOR));
}

/** A kernel as the matrix whose singular values are the layer's: [n_in, n_out]. */
function kernelMatrix(kernel: tf.Tensor): tf.Tensor2D {
  const nOut = kernel.shape.at(-1) as number;
  return tf.reshape(kernel, [-1, nOut]);
}

/** A tf.layers Layer's `addWeight` (protected there: a layer passes its own, bound). */
export type AddWeight = (
  name: string,
  shape: tfl.Shape,
  dtype: "float32",
  initializer: ReturnType<typeof tfl.initializers.randomNormal>,
  regularizer: undefined,
  trainable: boolean,
) => tfl.LayerVariable;

/** The power-iteration state of one kernel, and its normalised form. */
export class SpectralNorm {
  /** Estimate of the top right-singular vector (over the kernel's outputs), [n_out]. */
  readonly u: tfl.LayerVariable;
  /** Estimate of the top left-singular vector (over the kernel's inputs), [n_in]. */
  readonly v: tfl.LayerVariable;

  /**
   * @param kernel the layer's kernel variable (any rank; the last axis is the outputs)
   * @param addWeight the layer's `addWeight`, bound: u and v become its non-trainable weights
   */
  constructor(
    private readonly kernel: tfl.LayerVariable,
    addWeight: AddWeight,
  ) {
    const shape = kernel.shape as number[];
    const nOut = shape.at(-1) as number;
    const vector = (name: string, length: number) =>
      addWeight(name, [length], "float32", tfl.initializers.randomNormal({}), undefined, false);
    this.u = vector("sn_u", nOut);
    this.v = vector("sn_v", tf.util.sizeFromShape(shape) / nOut);
    // unit vectors from the start: u random, v its image (what an iteration would make of it)
    tf.tidy(() => {
      const u = normalise(this.u.read());
      this.u.write(u);
      this.v.write(
        tf.reshape(
          normalise(tf.matMul(kernelMatrix(this.kernel.read()), tf.reshape(u, [-1, 1]))),
          [-1],
        ),
      );
    });
  }

  /** One power iteration on the kernel as it is now: new u and v. */
  powerIteration(): void {
    tf.tidy(() => {
      const w = kernelMatrix(this.kernel.read()); // [n_in, n_out]
      const v = normalise(tf.matMul(w, tf.reshape(this.u.read(), [-1, 1]))); // [n_in, 1]
      const u = normalise(tf.matMul(w, v, true)); // [n_out, 1]
      this.v.write(tf.reshape(v, [-1]));
      this.u.write(tf.reshape(u, [-1]));
    });
  }

  /** sigma = v^T W u for the current u, v and kernel (a scalar; gradient to the kernel only). */
  sigma(): tf.Scalar {
    return tf.tidy(() => {
      const wu = tf.matMul(kernelMatrix(this.kernel.read()), tf.reshape(this.u.read(), [-1, 1]));
      return tf.sum(tf.mul(tf.reshape(this.v.read(), [-1, 1]), wu)) as tf.Scalar;
    });
  }

  /** The kernel divided by sigma, in the kernel's shape: what the layer computes with. */
  normalisedKernel(): tf.Tensor {
    return tf.tidy(() => tf.div(this.kernel.read(), this.sigma()));
  }
}

/** A layer that may hold a {@link SpectralNorm} (D's convolutions and dense layers). */
interface SpectralNormHolder {
  spectralNorm: SpectralNorm | null;
}

function holds(layer: tfl.layers.Layer): layer is tfl.layers.Layer & SpectralNormHolder {
  return (layer as Partial<SpectralNormHolder>).spectralNorm instanceof SpectralNorm;
}

/** The spectral normalisations of a model's layers, in layer order (none without the option). */
export function spectralNorms(model: tfl.LayersModel): SpectralNorm[] {
  return model.layers.filter(holds).map((layer) => layer.spectralNorm as SpectralNorm);
}

/** One power iteration for every spectrally normalised layer of `model` (a step's first act). */
export function powerIterate(model: tfl.LayersModel): void {
  for (const norm of spectralNorms(model)) norm.powerIteration();
}
