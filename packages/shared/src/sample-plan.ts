/**
 * How one sample request becomes a list of images, each with its own (label, seed).
 *
 * The edge worker and the tests share this, so an image served in a batch can be regenerated
 * alone from the (label, seed) reported beside it: `GET /sample?count=1&label=L&seed=S`.
 */
import { LATENT_SIZE, NUM_CLASSES, oneHot } from "./contract.ts";
import { assertSeed, createRng, latentFromSeed } from "./rng.ts";

/** One image of a request: its position, class label and the seed of its latent vector. */
export interface PlannedImage {
  index: number;
  label: number;
  seed: number;
}

/** A request as {@link planSample} takes it. `label` null/absent spreads over the classes. */
export interface SampleRequest {
  count: number;
  label?: number | null;
  seed: number;
}

/**
 * Plan the images of a request.
 *
 * - seed: image 0 gets the request seed itself; image i > 0 gets the i-th uint32 drawn from
 *   `createRng(requestSeed)` (draw 1 for image 1, draw 2 for image 2, ...). Hence
 *   `planSample({ count: 1, label: L, seed: S })[0]` is `{ index: 0, label: L, seed: S }`: any
 *   image can be regenerated from its own (label, seed).
 * - label: the requested label for every image, or when absent `i % NUM_CLASSES`.
 *
 * @example
 * planSample({ count: 3, seed: 7 }); // [{index:0,label:0,seed:7}, {index:1,label:1,seed:...}, ...]
 * @throws RangeError when count is not a positive integer, the seed is not a uint32, or the
 *   label is not an integer in 0..NUM_CLASSES-1.
 */
export function planSample(request: SampleRequest): PlannedImage[] {
  const { count, seed } = request;
  const label = request.label ?? null;
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`count must be a positive integer, got ${String(count)}`);
  }
  assertSeed(seed);
  if (label !== null && (!Number.isInteger(label) || label < 0 || label >= NUM_CLASSES)) {
    throw new RangeError(
      `label must be an integer in 0..${NUM_CLASSES - 1} or absent, got ${String(label)}`,
    );
  }
  const rng = createRng(seed);
  const plan: PlannedImage[] = [];
  for (let index = 0; index < count; index++) {
    plan.push({
      index,
      label: label ?? index % NUM_CLASSES,
      seed: index === 0 ? seed : rng.nextUint32(),
    });
  }
  return plan;
}

/** Generator inputs for a plan: float32 z [n, LATENT_SIZE] and one-hot label [n, NUM_CLASSES], row-major. */
export interface GeneratorInputs {
  z: Float32Array;
  label: Float32Array;
}

/**
 * Build the generator's inputs for a plan: row i of z is `latentFromSeed(plan[i].seed)`,
 * row i of label is the one-hot of `plan[i].label`.
 * Shapes: z float32 [n * LATENT_SIZE] (= [n, 100]), label float32 [n * NUM_CLASSES] (= [n, 10]).
 */
export function buildGeneratorInputs(plan: readonly PlannedImage[]): GeneratorInputs {
  const z = new Float32Array(plan.length * LATENT_SIZE);
  for (const [i, image] of plan.entries()) z.set(latentFromSeed(image.seed), i * LATENT_SIZE);
  return { z, label: oneHot(plan.map((image) => image.label)) };
}
