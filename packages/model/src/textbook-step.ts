/**
 * The textbook GAN step, written plainly: the yardstick the fused `trainStep` is tested against
 * (to 1e-4) and benchmarked against (`npm run bench -w @edgegan/model`). It runs G's forward pass
 * twice, once for D's fakes and once, on G's tape, for L_G; `trainStep` runs it once.
 */
import * as tf from "@tensorflow/tfjs-core";
import { batchTensors, disposeStepTensors, type GanBatch } from "./batch.ts";
import { adversarialLosses, distillationLoss } from "./losses.ts";
import type { StepPosition } from "./lr-schedule.ts";
import {
  beginStep,
  discriminate,
  type Gan,
  trainableVariables,
  withFrozenBatchNormStats,
} from "./train-step.ts";

/**
 * The plain formulation: D's update on fakes from their own G forward pass (G's statistics left
 * as they were), then G's update on a fresh forward pass through the updated D.
 */
export function textbookStep(
  gan: Gan,
  batch: GanBatch,
  position: StepPosition | null = null,
): { dLoss: number; gLoss: number } {
  const { generator: g, discriminator: d } = gan;
  beginStep(gan, position);
  const tensors = batchTensors(batch);
  const { images, labels, z, fakeLabels, teacherImages, realAugment, fakeAugment } = tensors;
  const fake = withFrozenBatchNormStats(g, () =>
    tf.tidy(() => g.apply([z, fakeLabels], { training: true }) as tf.Tensor4D),
  );
  const losses = adversarialLosses(gan.config.loss, gan.config.realLabelTarget);
  const dLoss = gan.dOptimizer.minimize(
    () =>
      losses.discriminator(
        discriminate(d, images, labels, realAugment),
        discriminate(d, fake, fakeLabels, fakeAugment),
      ),
    true,
    trainableVariables(d),
  );
  fake.dispose();
  const gLoss = withFrozenBatchNormStats(d, () =>
    gan.gOptimizer.minimize(
      () => {
        const images = g.apply([z, fakeLabels], { training: true }) as tf.Tensor4D;
        const adversarial = losses.generator(discriminate(d, images, fakeLabels, fakeAugment));
        if (!teacherImages) return adversarial;
        const distill = distillationLoss(images, teacherImages);
        return tf.add(adversarial, tf.mul(distill, gan.config.distillWeight)) as tf.Scalar;
      },
      true,
      trainableVariables(g),
    ),
  );
  const read = (t: tf.Scalar | null) => {
    const v = (t?.dataSync()[0] as number) ?? Number.NaN;
    t?.dispose();
    return v;
  };
  disposeStepTensors(tensors);
  return { dLoss: read(dLoss), gLoss: read(gLoss) };
}
