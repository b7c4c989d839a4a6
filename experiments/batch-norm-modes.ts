/**
 * Where a run's quality goes between training and export: one checkpoint's generator scored by
 * `npm run eval`'s measure in each BatchNorm mode it could be served in.
 *
 * During training G's BatchNorm normalises each (shard of a) batch by that batch's statistics; the
 * exported graph uses fixed statistics, recomputed for the EMA weights (docs/training.md). If the
 * fixed statistics were what held the Frechet distance back, a mode below would score better than
 * the export does. Modes, for the EMA weights and for the live weights (the last step's):
 * - `recalibrated`: as exported (statistics over 8 x 256 random inputs);
 * - `variance x (n-1)/n`: the recalibrated variance shrunk to what a batch of n measures on average;
 * - `batch statistics, n`: as in training, the plan shuffled into batches of n (the shard size)
 *   and of 250, each image put back at its place in the plan.
 *
 *   npm run batch-norm-modes -w @edgegan/experiments -- --run RUN_DIR --shard 32 [--dataset mnist]
 */
import { parseArgs } from "node:util";
import { planEvaluation } from "@edgegan/eval/eval-plan";
import { buildGenerator } from "@edgegan/model";
import { dataTensor, type TensorData } from "@edgegan/model/gan-state";
import { LATENT_SIZE, NUM_CLASSES, PIXELS_PER_IMAGE } from "@edgegan/shared";
import { seededPermutation } from "@edgegan/shared/rng";
import { buildGeneratorInputs, type GeneratorInputs } from "@edgegan/shared/sample-plan";
import {
  classNamesFor,
  evaluateImages,
  loadCheckpoint,
  recalibrateBatchNorm,
  selectBackend,
} from "@edgegan/trainer";
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";

/** Runs a generator on one batch: z [n * LATENT_SIZE], one-hot labels [n * NUM_CLASSES] -> [n * 784]. */
export type BatchRunner = (z: Float32Array, labels: Float32Array, n: number) => Float32Array;

/**
 * Images for every input of `inputs` (`count` of them), made in batches of `batchSize` after a
 * seeded shuffle, each returned at its own index: float32 [count * 784]. With batch statistics the
 * images of a batch depend on each other, and the plan is class-major, so unshuffled batches would
 * hold one class each, unlike training's.
 */
export function inShuffledBatches(
  inputs: GeneratorInputs,
  count: number,
  batchSize: number,
  run: BatchRunner,
  seed = 5,
): Float32Array {
  const order = seededPermutation(count, seed);
  const out = new Float32Array(count * PIXELS_PER_IMAGE);
  for (let start = 0; start < count; start += batchSize) {
    const members = order.subarray(start, Math.min(count, start + batchSize));
    const z = new Float32Array(members.length * LATENT_SIZE);
    const labels = new Float32Array(members.length * NUM_CLASSES);
    members.forEach((p, k) => {
      z.set(inputs.z.subarray(p * LATENT_SIZE, (p + 1) * LATENT_SIZE), k * LATENT_SIZE);
      labels.set(inputs.label.subarray(p * NUM_CLASSES, (p + 1) * NUM_CLASSES), k * NUM_CLASSES);
    });
    const images = run(z, labels, members.length);
    if (images.length !== members.length * PIXELS_PER_IMAGE) {
      throw new RangeError(`a batch of ${members.length} gave ${images.length} values`);
    }
    members.forEach((p, k) => {
      out.set(
        images.subarray(k * PIXELS_PER_IMAGE, (k + 1) * PIXELS_PER_IMAGE),
        p * PIXELS_PER_IMAGE,
      );
    });
  }
  return out;
}

/** A runner of `generator`: BatchNorm with fixed statistics, or with each batch's own. */
function runnerOf(generator: tfl.LayersModel, batchStatistics: boolean): BatchRunner {
  return (z, labels, n) => {
    const images = tf.tidy(() => {
      const x = [tf.tensor2d(z, [n, LATENT_SIZE]), tf.tensor2d(labels, [n, NUM_CLASSES])];
      // [n, 28, 28, 1]: with one channel, NHWC is laid out as NCHW
      return generator.apply(x, { training: batchStatistics }) as tf.Tensor;
    });
    const values = images.dataSync() as Float32Array;
    images.dispose();
    return values;
  };
}

function setWeights(generator: tfl.LayersModel, weights: TensorData[]): void {
  const tensors = weights.map(dataTensor);
  generator.setWeights(tensors);
  tf.dispose(tensors);
}

/** Multiply every BatchNorm layer's moving variance by `factor`. */
function scaleMovingVariance(generator: tfl.LayersModel, factor: number): void {
  for (const layer of generator.layers.filter((l) => l.getClassName() === "BatchNormalization")) {
    const [gamma, beta, mean, variance] = layer.getWeights() as tf.Tensor[];
    const scaled = tf.mul(variance as tf.Tensor, factor);
    layer.setWeights([gamma, beta, mean, scaled] as tf.Tensor[]);
    scaled.dispose();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      run: { type: "string" },
      shard: { type: "string", default: "32" },
      dataset: { type: "string" },
    },
  });
  const shard = Number(values.shard);
  if (!values.run || !Number.isInteger(shard) || shard < 2) {
    throw new Error(
      "usage: batch-norm-modes.ts --run RUN_DIR --shard N (N: images per BatchNorm batch in training, an integer >= 2)",
    );
  }
  await selectBackend("wasm");
  const checkpoint = loadCheckpoint(values.run);
  if (!checkpoint) throw new Error(`${values.run} holds no checkpoint`);
  const { config } = checkpoint.state;
  if (config.arch !== "dcgan") throw new Error(`the ${config.arch} generator has no BatchNorm`);
  const dataset = values.dataset ?? config.dataset;
  const classCount = classNamesFor(dataset).length;
  const plan = planEvaluation(1000, 0, classCount);
  const inputs = buildGeneratorInputs(plan);
  const generator = buildGenerator("dcgan", config.generatorWidth);
  const fixed = runnerOf(generator, false);
  const perBatch = runnerOf(generator, true);

  console.log("| weights | BatchNorm | FD (floor) | mean / cov terms | label acc. |");
  console.log("| --- | --- | ---: | ---: | ---: |");
  const score = async (weights: string, mode: string, images: Float32Array) => {
    const { metrics: m } = await evaluateImages(
      { images, plan, onnxSha256: `${weights} ${mode}` },
      { dataset, memorisationSamples: 0 },
    );
    console.log(
      `| ${weights} | ${mode} | ${m.frechetDistance.toFixed(3)} (${m.floor.frechetDistance.toFixed(3)}) | ` +
        `${m.frechetParts.meanTerm.toFixed(3)} / ${m.frechetParts.covTerm.toFixed(3)} | ${(100 * m.labelAccuracy).toFixed(2)}% |`,
    );
  };
  for (const [weights, tensors] of [
    ["EMA", checkpoint.tensors.ema],
    ["live", checkpoint.tensors.generator],
  ] as const) {
    setWeights(generator, tensors);
    recalibrateBatchNorm(generator, { seed: config.seed, classCount });
    await score(
      weights,
      "recalibrated (as exported)",
      inShuffledBatches(inputs, plan.length, 250, fixed),
    );
    scaleMovingVariance(generator, (shard - 1) / shard);
    await score(
      weights,
      `variance x (n-1)/n, n = ${shard}`,
      inShuffledBatches(inputs, plan.length, 250, fixed),
    );
    for (const n of [shard, 250]) {
      await score(
        weights,
        `batch statistics, n = ${n}`,
        inShuffledBatches(inputs, plan.length, n, perBatch),
      );
    }
  }
}

if (process.argv[1]?.endsWith("batch-norm-modes.ts")) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
