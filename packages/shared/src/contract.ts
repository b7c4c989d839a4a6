/**
 * The model I/O contract: the one place that says what a generator takes and gives.
 *
 * Trainer, ONNX exporter and edge worker all import these constants, so a change here
 * reaches every side at once and no tensor name or pixel rule is written twice.
 *
 * Decision (recorded here, read by the exporter and the worker): the ONNX graph ends in
 * float32 in [-1, 1] (tanh), layout NCHW [N, 1, 28, 28]. Pixels are made outside the
 * graph with {@link toPixel}, so parity is measured on the [-1, 1] scale the model learns.
 */

/** Size of the latent vector z, drawn from a standard normal N(0, 1) in training and serving alike. */
export const LATENT_SIZE = 100;

/** Number of classes; labels enter the generator one-hot encoded. */
export const NUM_CLASSES = 10;

/** Image height and width in pixels. */
export const IMAGE_SIZE = 28;

/** Channels per image (grayscale). */
export const IMAGE_CHANNELS = 1;

/** Pixels per image: 28 * 28 * 1. */
export const PIXELS_PER_IMAGE = IMAGE_SIZE * IMAGE_SIZE * IMAGE_CHANNELS;

/** ONNX tensor names and shapes (N is the dynamic batch dimension). */
export const ONNX_IO = {
  /** float32 [N, LATENT_SIZE] */
  latentInput: "z",
  /** float32 [N, NUM_CLASSES], one-hot */
  labelInput: "label",
  /** float32 [N, 1, 28, 28] in [-1, 1] */
  imageOutput: "image",
  /** Name of the dynamic batch dimension. */
  batchDim: "N",
} as const;

/** ONNX opset the exporter targets (supported by onnxruntime-web 1.30). */
export const ONNX_OPSET = 17;

/**
 * How a generator.onnx stores its weights: float32, or float16 cast back to float32 inside the
 * graph (half the bytes; I/O and arithmetic stay float32).
 */
export const ONNX_WEIGHT_TYPES = ["float32", "float16"] as const;
export type OnnxWeightType = (typeof ONNX_WEIGHT_TYPES)[number];

/** Shape of a batch of images as the ONNX graph gives it: [N, C, H, W]. */
export function imageBatchShape(n: number): [number, number, number, number] {
  return [n, IMAGE_CHANNELS, IMAGE_SIZE, IMAGE_SIZE];
}

/**
 * Map one generator output value in [-1, 1] to a uint8 pixel: round((v + 1) * 127.5),
 * clamped to [0, 255]. -1 -> 0 (black), 1 -> 255 (white).
 */
export function toPixel(value: number): number {
  const clamped = value < -1 ? -1 : value > 1 ? 1 : Number.isNaN(value) ? -1 : value;
  return Math.round((clamped + 1) * 127.5);
}

/** Map a uint8 pixel to the generator's [-1, 1] scale: p / 127.5 - 1 (used for training data). */
export function fromPixel(pixel: number): number {
  return pixel / 127.5 - 1;
}

/** Convert generator output (any length, values in [-1, 1]) to uint8 pixels. */
export function toPixels(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = toPixel(values[i] as number);
  return out;
}

/**
 * One-hot encode class labels into a row-major [labels.length, NUM_CLASSES] buffer.
 * @throws RangeError when a label is not an integer in [0, NUM_CLASSES).
 */
export function oneHot(labels: ArrayLike<number>): Float32Array {
  const out = new Float32Array(labels.length * NUM_CLASSES);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] as number;
    if (!Number.isInteger(label) || label < 0 || label >= NUM_CLASSES) {
      throw new RangeError(
        `label ${label} at index ${i} is not an integer in 0..${NUM_CLASSES - 1}`,
      );
    }
    out[i * NUM_CLASSES + label] = 1;
  }
  return out;
}

/** Known datasets and the names of their classes, index = label. */
export const DATASET_CLASS_NAMES = {
  mnist: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
  "fashion-mnist": [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
  ],
} as const satisfies Record<string, readonly string[]>;

/** Architectures the model package can build. */
export const ARCHITECTURES = ["dcgan", "mlp"] as const;
export type Architecture = (typeof ARCHITECTURES)[number];
