/**
 * GAN losses on discriminator logits, via the numerically stable sigmoid cross-entropy, so that
 * a confident discriminator (|logit| ~ 100) gives finite losses and gradients instead of log(0).
 *
 *   L_D = -E[log D(x)] - E[log(1 - D(G(z)))]   (real target 1, or e.g. 0.9 with one-sided smoothing)
 *   L_G = -E[log D(G(z))]                      (non-saturating generator loss)
 *
 * or, with `--loss hinge` (SAGAN / BigGAN practice, usually with spectral normalisation in D):
 *
 *   L_D = E[max(0, 1 - D(x))] + E[max(0, 1 + D(G(z)))]
 *   L_G = -E[D(G(z))]
 */
import type { GanLoss } from "@edgegan/shared/train-config";
import * as tf from "@tensorflow/tfjs-core";
// tfjs-core alone registers no gradients, and these losses exist to be differentiated.
// tfjs-layers registers every gradient on import, in its Node CJS build too (tfjs-core's
// dist/register_all_gradients deep path is ESM-only and fails under plain Node).
import "@tensorflow/tfjs-layers";

/**
 * Mean sigmoid cross-entropy of logits against a constant target t in [0, 1]:
 * mean(max(x, 0) - x * t + log(1 + exp(-|x|))), which equals -t log s(x) - (1-t) log(1-s(x)).
 * @param logits any shape, typically [N, 1]
 * @returns scalar
 */
export function sigmoidCrossEntropyWithLogits(logits: tf.Tensor, target: number): tf.Scalar {
  if (!(target >= 0 && target <= 1)) throw new Error(`target must be in [0, 1], got ${target}`);
  return tf.tidy(() => {
    const perItem = tf.add(
      tf.sub(tf.relu(logits), tf.mul(logits, target)),
      tf.log1p(tf.exp(tf.neg(tf.abs(logits)))),
    );
    return tf.mean(perItem) as tf.Scalar;
  });
}

/** Options of {@link discriminatorLoss}. */
export interface DiscriminatorLossOptions {
  /** Target for real images: 1, or below 1 for one-sided label smoothing (e.g. 0.9). Fakes stay 0. */
  realTarget?: number;
}

/**
 * L_D = BCE(realLogits, realTarget) + BCE(fakeLogits, 0), each a batch mean.
 * @param realLogits D's logits on real images, [N, 1]
 * @param fakeLogits D's logits on generated images, [M, 1]
 * @returns scalar
 * @example
 * // D(x) = 0.9, D(G(z)) = 0.2: -ln 0.9 - ln 0.8 = 0.3285
 * discriminatorLoss(tf.tensor2d([[Math.log(9)]]), tf.tensor2d([[Math.log(0.25)]]));
 */
export function discriminatorLoss(
  realLogits: tf.Tensor,
  fakeLogits: tf.Tensor,
  { realTarget = 1 }: DiscriminatorLossOptions = {},
): tf.Scalar {
  return tf.tidy(() =>
    tf.add(
      sigmoidCrossEntropyWithLogits(realLogits, realTarget),
      sigmoidCrossEntropyWithLogits(fakeLogits, 0),
    ),
  );
}

/**
 * Non-saturating generator loss L_G = BCE(fakeLogits, 1) = -E[log D(G(z))].
 * @param fakeLogits D's logits on generated images, [M, 1]
 * @returns scalar
 */
export function generatorLoss(fakeLogits: tf.Tensor): tf.Scalar {
  return sigmoidCrossEntropyWithLogits(fakeLogits, 1);
}

/**
 * Distillation term: mean |student - teacher| over every pixel, the teacher's image being a
 * constant target for the same (z, label). Added to L_G with a weight, it makes a smaller
 * student reproduce a trained teacher (GAN Compression, Li et al. 2020), so seeded URLs keep
 * showing nearly the same image after the switch.
 * @param studentImages [M, 28, 28, 1] in [-1, 1]
 * @param teacherImages [M, 28, 28, 1] in [-1, 1]
 * @returns scalar
 * @example
 * // student 0.5 and -1, teacher 0.25 and -0.5: (0.25 + 0.5) / 2 = 0.375
 */
export function distillationLoss(studentImages: tf.Tensor, teacherImages: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.abs(tf.sub(studentImages, teacherImages))) as tf.Scalar);
}

/**
 * Hinge discriminator loss L_D = mean(relu(1 - realLogits)) + mean(relu(1 + fakeLogits)): D is
 * pushed to logits >= 1 on real images and <= -1 on fakes, and stops being pushed beyond them.
 * @param realLogits D's logits on real images, [N, 1]
 * @param fakeLogits D's logits on generated images, [M, 1]
 * @returns scalar
 * @example
 * // real 2 and 0.5: (0 + 0.5) / 2 = 0.25; fake -0.5 and 1: (0.5 + 2) / 2 = 1.25; L_D = 1.5
 * hingeDiscriminatorLoss(tf.tensor2d([[2], [0.5]]), tf.tensor2d([[-0.5], [1]]));
 */
export function hingeDiscriminatorLoss(realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar {
  return tf.tidy(
    () =>
      tf.add(
        tf.mean(tf.relu(tf.sub(1, realLogits))),
        tf.mean(tf.relu(tf.add(1, fakeLogits))),
      ) as tf.Scalar,
  );
}

/**
 * Hinge generator loss L_G = -mean(fakeLogits).
 * @example hingeGeneratorLoss(tf.tensor2d([[-0.5], [1]])); // -0.25
 */
export function hingeGeneratorLoss(fakeLogits: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(fakeLogits)) as tf.Scalar);
}

/** A GAN loss pair on D's logits. */
export interface AdversarialLosses {
  discriminator(realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar;
  generator(fakeLogits: tf.Tensor): tf.Scalar;
}

/**
 * The loss pair a config names: "bce" (the default: sigmoid cross-entropy, real target
 * `realTarget` for one-sided smoothing) or "hinge" (which has no target: `realTarget` is unused).
 */
export function adversarialLosses(kind: GanLoss, realTarget: number): AdversarialLosses {
  if (kind === "hinge") {
    return { discriminator: hingeDiscriminatorLoss, generator: hingeGeneratorLoss };
  }
  return {
    discriminator: (real, fake) => discriminatorLoss(real, fake, { realTarget }),
    generator: generatorLoss,
  };
}
