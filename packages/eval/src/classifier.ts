/**
 * The evaluation classifier: a small CNN trained on a dataset's own train split. Its
 * predictions judge whether a generated image shows the class asked for, and its penultimate
 * layer (FEATURE_SIZE values) is the feature space of the Frechet distance.
 *
 * conv 32 3x3 ReLU -> max-pool 2 -> conv 64 3x3 ReLU -> max-pool 2 -> dense FEATURE_SIZE ReLU
 * (features) -> dense NUM_CLASSES (logits). Trained with Adam on softmax cross-entropy, seeded
 * initialisation and a seeded shuffle, on whatever TF.js backend is active (wasm in the CLI).
 */
import { IMAGE_CHANNELS, IMAGE_SIZE, NUM_CLASSES, oneHot, PIXELS_PER_IMAGE } from "@edgegan/shared";
import { createRng } from "@edgegan/shared/rng";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";

/** Width of the penultimate layer: the feature vector of one image. */
export const FEATURE_SIZE = 128;

/**
 * Filters of the two conv layers and their kernel size (~2.6 M multiply-adds per image).
 * Measured: a LeNet-like 16/32 at 5x5 (~1.1 M, 2x faster) reached only 89.65% on Fashion-MNIST
 * (5 epochs) and 99.01% on MNIST (4 epochs), too close to or below the 90% / 99% targets.
 */
const CONV_FILTERS = [32, 64] as const;
const CONV_KERNEL = 3;

/** How the classifier is trained. Part of the cache key when it differs from the defaults. */
export interface ClassifierTrainOptions {
  /** Passes over the (possibly limited) train split; default 4. */
  epochs: number;
  /** Images per step; default 128. */
  batchSize: number;
  /** Adam learning rate; default 1e-3 (full for half the epochs, then halved each epoch). */
  learningRate: number;
  /** Seed of initialisation and shuffling; default 1. */
  seed: number;
}

/**
 * Epochs by dataset where the default is not enough. Fashion-MNIST: 4 epochs gave 89.92%
 * test accuracy (below the 90% target; the net underfits, train loss 0.235).
 */
export const DEFAULT_EPOCHS_BY_DATASET: Readonly<Record<string, number>> = { "fashion-mnist": 8 };

export const DEFAULT_CLASSIFIER_OPTIONS: ClassifierTrainOptions = {
  epochs: 4,
  batchSize: 128,
  learningRate: 1e-3,
  seed: 1,
};

/** Images and labels the classifier trains on or reads. */
export interface LabelledImages {
  /** float32 [count, 28, 28, 1] flattened, values in [-1, 1] (the generator's scale). */
  images: Float32Array;
  /** uint8 [count] class indices. */
  labels: Uint8Array;
  count: number;
}

/** Build the untrained CNN; one model with two outputs: [features [N, FEATURE_SIZE], logits [N, 10]]. */
function buildClassifier(seed = DEFAULT_CLASSIFIER_OPTIONS.seed): tfl.LayersModel {
  const init = (k: number) => tfl.initializers.glorotUniform({ seed: seed * 16 + k });
  const input = tfl.input({ shape: [IMAGE_SIZE, IMAGE_SIZE, IMAGE_CHANNELS], name: "image" });
  // conv -> ReLU -> max-pool, twice: [N,28,28,1] -> [N,13,13,32] -> [N,5,5,64]
  let x = input;
  for (const [i, filters] of CONV_FILTERS.entries()) {
    x = tfl.layers
      .conv2d({
        filters,
        kernelSize: CONV_KERNEL,
        activation: "relu",
        kernelInitializer: init(i),
        name: `conv${i + 1}`,
      })
      .apply(x) as tfl.SymbolicTensor;
    x = tfl.layers
      .maxPooling2d({ poolSize: 2, name: `pool${i + 1}` })
      .apply(x) as tfl.SymbolicTensor;
  }
  x = tfl.layers.flatten({ name: "flatten" }).apply(x) as tfl.SymbolicTensor;
  const features = tfl.layers
    .dense({
      units: FEATURE_SIZE,
      activation: "relu",
      kernelInitializer: init(2),
      name: "features",
    })
    .apply(x) as tfl.SymbolicTensor;
  const logits = tfl.layers
    .dense({ units: NUM_CLASSES, kernelInitializer: init(3), name: "logits" })
    .apply(features) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: [features, logits], name: "edgegan_eval_classifier" });
}

function checkImages(data: LabelledImages | { images: Float32Array; count: number }): void {
  if (!Number.isInteger(data.count) || data.count < 1) {
    throw new RangeError(`need at least one image, got count ${data.count}`);
  }
  if (data.images.length !== data.count * PIXELS_PER_IMAGE) {
    throw new RangeError(
      `images must hold count * ${PIXELS_PER_IMAGE} = ${data.count * PIXELS_PER_IMAGE} values, got ${data.images.length}`,
    );
  }
}

/** Progress of {@link trainClassifier}, once per epoch. */
export interface ClassifierEpoch {
  epoch: number;
  /** Mean training loss over the epoch. */
  loss: number;
  seconds: number;
}

/**
 * Train a fresh classifier on `train` (seeded: same data, options and backend give the same model).
 * @param onEpoch called after each epoch (for progress lines)
 * @returns the trained two-output model (see {@link buildClassifier})
 * @throws RangeError on empty or mis-sized data or a bad option.
 */
export async function trainClassifier(
  train: LabelledImages,
  options: Partial<ClassifierTrainOptions> = {},
  onEpoch: (progress: ClassifierEpoch) => void = () => {},
): Promise<tfl.LayersModel> {
  const opts = { ...DEFAULT_CLASSIFIER_OPTIONS, ...options };
  checkImages(train);
  for (const key of ["epochs", "batchSize"] as const) {
    if (!Number.isInteger(opts[key]) || opts[key] < 1) {
      throw new RangeError(`classifier ${key} must be a positive integer, got ${opts[key]}`);
    }
  }
  if (train.labels.length !== train.count) {
    throw new RangeError(`expected ${train.count} labels, got ${train.labels.length}`);
  }
  const model = buildClassifier(opts.seed);
  const optimizer = tf.train.adam(opts.learningRate);
  const rng = createRng(opts.seed);
  const order = Uint32Array.from({ length: train.count }, (_, i) => i);
  const batch = Math.min(opts.batchSize, train.count);
  const x = new Float32Array(batch * PIXELS_PER_IMAGE);
  const y = new Uint8Array(batch);
  for (let epoch = 1; epoch <= opts.epochs; epoch++) {
    const started = performance.now();
    // Step decay: full rate for the first half of the epochs (rounded up), then halved each
    // epoch (4 epochs: 1, 1, 1/2, 1/4). Adam reads the rate at every step.
    (optimizer as unknown as { learningRate: number }).learningRate =
      opts.learningRate * 0.5 ** Math.max(0, epoch - Math.ceil(opts.epochs / 2));
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    let lossSum = 0;
    let steps = 0;
    for (let start = 0; start + batch <= train.count; start += batch) {
      for (let b = 0; b < batch; b++) {
        const index = order[start + b] as number;
        x.set(
          train.images.subarray(index * PIXELS_PER_IMAGE, (index + 1) * PIXELS_PER_IMAGE),
          b * PIXELS_PER_IMAGE,
        );
        y[b] = train.labels[index] as number;
      }
      const loss = tf.tidy(() => {
        const xs = tf.tensor4d(x, [batch, IMAGE_SIZE, IMAGE_SIZE, IMAGE_CHANNELS]);
        const ys = tf.tensor2d(oneHot(y), [batch, NUM_CLASSES]);
        return optimizer.minimize(() => {
          const [, logits] = model.apply(xs, { training: true }) as tf.Tensor[];
          return tf.losses.softmaxCrossEntropy(ys, logits as tf.Tensor2D) as tf.Scalar;
        }, true) as tf.Scalar;
      });
      lossSum += (await loss.data())[0] as number;
      loss.dispose();
      steps++;
    }
    onEpoch({
      epoch,
      loss: lossSum / Math.max(steps, 1),
      seconds: (performance.now() - started) / 1000,
    });
  }
  optimizer.dispose();
  return model;
}

/** What the classifier reads in a set of images. */
export interface Readings {
  /** float32 [count, FEATURE_SIZE] penultimate-layer activations. */
  features: Float32Array;
  /** uint8 [count] argmax class. */
  predictions: Uint8Array;
  count: number;
}

/**
 * Run the classifier (inference mode) over images, `batchSize` at a time.
 * @param images float32 [count, 28, 28, 1] flattened in [-1, 1]; an NCHW [count, 1, 28, 28]
 *   generator output has the same memory layout (one channel).
 */
export async function readImages(
  model: tfl.LayersModel,
  images: Float32Array,
  count: number,
  batchSize = 500,
): Promise<Readings> {
  checkImages({ images, count });
  const features = new Float32Array(count * FEATURE_SIZE);
  const predictions = new Uint8Array(count);
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    const [f, p] = tf.tidy(() => {
      const xs = tf.tensor4d(
        images.subarray(start * PIXELS_PER_IMAGE, (start + n) * PIXELS_PER_IMAGE),
        [n, IMAGE_SIZE, IMAGE_SIZE, IMAGE_CHANNELS],
      );
      const [feat, logits] = model.predict(xs) as tf.Tensor[];
      return [feat as tf.Tensor, tf.argMax(logits as tf.Tensor, 1)];
    });
    features.set(await (f as tf.Tensor).data(), start * FEATURE_SIZE);
    predictions.set(await (p as tf.Tensor).data(), start);
    tf.dispose([f as tf.Tensor, p as tf.Tensor]);
  }
  return { features, predictions, count };
}
