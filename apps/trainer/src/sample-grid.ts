/**
 * The sample grid written after each epoch: 10 columns, one row per class (10 rows for MNIST);
 * row r shows class r, column c uses the same fixed z in every row, so a person sees each class
 * and the style z controls.
 * Fixed z (from the run's seed) makes grids of successive epochs directly comparable.
 */

import { LATENT_SIZE, NUM_CLASSES, oneHot, toPixels } from "@edgegan/shared";
import { encodeGridPng } from "@edgegan/shared/png";
import { createRng } from "@edgegan/shared/rng";
import type { TrainConfig } from "@edgegan/shared/train-config";
import * as tf from "@tensorflow/tfjs-core";
import type { LayersModel } from "@tensorflow/tfjs-layers";

/** Seed offset so grid z never coincides with the training stream's z. */
const GRID_SEED_SALT = 0x5eed9a1d;

/** Fixed inputs of the grid: z [rows * 10, 100] (column c repeated down the rows) and labels [rows * 10, 10]. */
export function gridInputs(
  seed: number,
  rows: number = NUM_CLASSES,
): { z: Float32Array; labels: Float32Array } {
  const rng = createRng((seed ^ GRID_SEED_SALT) >>> 0);
  const columnZ = Array.from({ length: NUM_CLASSES }, () =>
    Float32Array.from({ length: LATENT_SIZE }, () => rng.normal()),
  );
  const z = new Float32Array(rows * NUM_CLASSES * LATENT_SIZE);
  const labelIndices: number[] = [];
  for (let row = 0; row < rows; row++) {
    for (let col = 0; col < NUM_CLASSES; col++) {
      z.set(columnZ[col] as Float32Array, (row * NUM_CLASSES + col) * LATENT_SIZE);
      labelIndices.push(row);
    }
  }
  return { z, labels: oneHot(labelIndices) };
}

/**
 * Run the generator (inference mode) on the grid inputs and encode the grid PNG (`rows` classes).
 * The generator sees T * z, as it does inside the exported generator.onnx.
 */
export function renderSampleGrid(
  generator: LayersModel,
  { seed, latentTemperature }: Pick<TrainConfig, "seed" | "latentTemperature">,
  rows: number = NUM_CLASSES,
): Uint8Array {
  const { z, labels } = gridInputs(seed, rows);
  const n = rows * NUM_CLASSES;
  const values = tf.tidy(() => {
    const out = generator.predict([
      tf.mul(tf.tensor2d(z, [n, LATENT_SIZE]), latentTemperature),
      tf.tensor2d(labels, [n, NUM_CLASSES]),
    ]);
    return (out as tf.Tensor).dataSync() as Float32Array;
  });
  return encodeGridPng(toPixels(values), n, { columns: NUM_CLASSES, padding: 2 });
}
