/**
 * Differentiable augmentation for D (DiffAugment, Zhao et al. 2020: translation and cutout).
 * With `--diff-augment` D never sees an image as it is: every real and every fake image is
 * shifted by up to 3 pixels each way and has a 14x14 square (half the side) blanked to the
 * background, so D cannot win by memorising the training images' exact pixels, and G's
 * gradient still passes through the same operations (they are linear in the image).
 *
 * The random part is drawn on the host from the run's RNG (4 numbers per image, carried by the
 * batch), so a resumed run draws the same augmentations and data-parallel shards split them by
 * row like the images. On the device each image becomes
 *   aug(x) = mask * (R @ (x + 1) @ C) - 1
 * with R [28, 28] moving rows down by dy, C [28, 28] moving columns right by dx (pixels pushed
 * in from the edge are background, -1), and mask 0 on the cut square: three batched matrix
 * products and a multiply, which every backend (wasm included) differentiates.
 */
import { IMAGE_CHANNELS, IMAGE_SIZE } from "@edgegan/shared";
import type { Rng } from "@edgegan/shared/rng";
import * as tf from "@tensorflow/tfjs-core";

/** Numbers per image: [dx, dy, cutout centre row, cutout centre column]. */
export const AUGMENT_PARAMS = 4;
/** Largest shift each way, in pixels (1/8 of the side, as DiffAugment's translation). */
export const MAX_SHIFT = 3;
/** Side of the cut square, in pixels (half the image's, as DiffAugment's cutout). */
export const CUTOUT_SIZE = IMAGE_SIZE / 2;

/**
 * Each image's augmentation, drawn from `rng`: shifts uniform in [-3, 3], the cut square's
 * centre uniform over the image (the square may hang over the edge).
 * @returns [count, 4] rows of (dx, dy, centre row, centre column)
 */
export function drawAugmentations(count: number, rng: Rng): Float32Array {
  const params = new Float32Array(count * AUGMENT_PARAMS);
  for (let i = 0; i < count; i++) {
    params[i * AUGMENT_PARAMS] = rng.int(2 * MAX_SHIFT + 1) - MAX_SHIFT;
    params[i * AUGMENT_PARAMS + 1] = rng.int(2 * MAX_SHIFT + 1) - MAX_SHIFT;
    params[i * AUGMENT_PARAMS + 2] = rng.int(IMAGE_SIZE);
    params[i * AUGMENT_PARAMS + 3] = rng.int(IMAGE_SIZE);
  }
  return params;
}

/** One step's augmentation as tensors (the caller disposes them; a tf.TensorContainer). */
export type AugmentTensors = {
  /** R per image [N, 28, 28]: (R @ x)[i, j] = x[i - dy, j]. */
  rows: tf.Tensor3D;
  /** C per image [N, 28, 28]: (x @ C)[i, j] = x[i, j - dx]. */
  columns: tf.Tensor3D;
  /** 0 on the cut square, 1 elsewhere [N, 28, 28]. */
  mask: tf.Tensor3D;
};

/**
 * The matrices and masks of `count` images' augmentations.
 * @param params [count, 4] as {@link drawAugmentations} draws them
 * @throws Error when a shift is not an integer in [-3, 3] or a centre not a pixel index
 */
export function augmentTensors(params: Float32Array, count: number): AugmentTensors {
  const side = IMAGE_SIZE;
  const plane = side * side;
  const rows = new Float32Array(count * plane);
  const columns = new Float32Array(count * plane);
  const mask = new Float32Array(count * plane).fill(1);
  const half = CUTOUT_SIZE / 2;
  for (let n = 0; n < count; n++) {
    const param = (k: number) => params[n * AUGMENT_PARAMS + k] as number;
    const [dx, dy, cy, cx] = [param(0), param(1), param(2), param(3)];
    checkParams(n, dx, dy, cy, cx);
    for (let i = 0; i < side; i++) {
      const fromRow = i - dy; // output row i comes from input row i - dy
      if (fromRow >= 0 && fromRow < side) rows[n * plane + i * side + fromRow] = 1;
      const toColumn = i + dx; // input column i goes to output column i + dx
      if (toColumn >= 0 && toColumn < side) columns[n * plane + i * side + toColumn] = 1;
    }
    for (let i = Math.max(0, cy - half); i < Math.min(side, cy + half); i++) {
      for (let j = Math.max(0, cx - half); j < Math.min(side, cx + half); j++) {
        mask[n * plane + i * side + j] = 0;
      }
    }
  }
  return {
    rows: tf.tensor3d(rows, [count, side, side]),
    columns: tf.tensor3d(columns, [count, side, side]),
    mask: tf.tensor3d(mask, [count, side, side]),
  };
}

function checkParams(n: number, dx: number, dy: number, cy: number, cx: number): void {
  const shiftOk = (s: number) => Number.isInteger(s) && Math.abs(s) <= MAX_SHIFT;
  const indexOk = (c: number) => Number.isInteger(c) && c >= 0 && c < IMAGE_SIZE;
  if (!shiftOk(dx) || !shiftOk(dy) || !indexOk(cy) || !indexOk(cx)) {
    throw new Error(
      `augmentation ${n}: (dx ${dx}, dy ${dy}, centre ${cy}, ${cx}) must be integer shifts in [-${MAX_SHIFT}, ${MAX_SHIFT}] and a pixel index in [0, ${IMAGE_SIZE - 1}]`,
    );
  }
}

/**
 * The images as D sees them: shifted, with the square cut (background -1 wherever the
 * augmentation leaves no pixel). Differentiable in `x`.
 * @param x [N, 28, 28, 1] in [-1, 1]
 * @returns [N, 28, 28, 1]
 */
export function diffAugment(x: tf.Tensor4D, augment: AugmentTensors): tf.Tensor4D {
  return tf.tidy(() => {
    const [n] = x.shape;
    const lifted = tf.add(tf.reshape(x, [n, IMAGE_SIZE, IMAGE_SIZE]), 1) as tf.Tensor3D; // background 0
    const shifted = tf.matMul(tf.matMul(augment.rows, lifted), augment.columns); // [N, 28, 28]
    const cut = tf.sub(tf.mul(shifted, augment.mask), 1);
    return tf.reshape(cut, [n, IMAGE_SIZE, IMAGE_SIZE, IMAGE_CHANNELS]) as tf.Tensor4D;
  });
}
