/**
 * The minibatch standard deviation feature (Karras et al. 2018, ProGAN): one extra channel that
 * tells D how much the images of the batch differ from each other.
 *
 *   s = mean over features f of sqrt(var_n(x[n, f]) + 1e-8)      (var over the batch, biased)
 *   out = concat(x, s broadcast to x's shape with one channel)     [N, ..., C] -> [N, ..., C + 1]
 *
 * A generator whose batch varies less than a batch of real images gives D a smaller s; it can
 * only close that gap by making more varied images. Each call computes s over the images it is
 * given, so D's real and fake passes (separate calls in train-step.ts) each see their own batch,
 * and a data-parallel replica its own shard. The layer has no weights.
 */
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";

/** Added to the variance before the square root: a batch of identical images has finite gradients. */
export const STDDEV_EPSILON = 1e-8;

/**
 * s of a batch x [N, ...]: the mean over every non-batch position of the batch's standard
 * deviation there. A scalar tensor.
 */
export function minibatchStddev(x: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const { variance } = tf.moments(x, 0); // [...], biased (divides by N)
    return tf.mean(tf.sqrt(tf.add(variance, STDDEV_EPSILON))) as tf.Scalar;
  });
}

export class MinibatchStddev extends tfl.layers.Layer {
  static readonly className = "MinibatchStddev";

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const shape = inputShape as tfl.Shape;
    const channels = shape.at(-1);
    return [...shape.slice(0, -1), channels == null ? null : channels + 1];
  }

  /** x [N, ..., C] -> [N, ..., C + 1], the last channel s everywhere. */
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs;
    return tf.tidy(() => {
      const s = minibatchStddev(x);
      const channel = tf.mul(tf.ones([...x.shape.slice(0, -1), 1]), s); // [N, ..., 1]
      return tf.concat([x, channel], -1);
    });
  }
}
tf.serialization.registerClass(MinibatchStddev);
