/**
 * What a run sends to TensorBoard with `--logdir DIR`: at every metrics line the mean losses,
 * D(x) and D(G(z)) and images per second; the sample grid after each epoch and at the end; the
 * evaluation figures with `--eval-every`.
 *
 * D(x) and D(G(z)) are measured on a fixed probe batch (the first 64 training images with their
 * labels, and 64 seeded (z, label) pairs over the dataset's classes), with both networks in
 * inference mode (BatchNorm's moving statistics), so successive points compare the networks and
 * not the batches. The step itself never reports them: it would cost the data-parallel replicas
 * a second reduction per step.
 */
import { LATENT_SIZE, NUM_CLASSES, oneHot, PIXELS_PER_IMAGE } from "@edgegan/shared";
import { decodeGrayscalePng } from "@edgegan/shared/png-decode";
import { createRng } from "@edgegan/shared/rng";
import * as tf from "@tensorflow/tfjs-core";
import type { LayersModel } from "@tensorflow/tfjs-layers";
import type { Dataset } from "../dataset.ts";
import { EventFileWriter } from "./event-file.ts";

/** Images in the probe batch. */
export const PROBE_SIZE = 64;

/** Seed salt of the probe's z, apart from the training and grid streams. */
const PROBE_SEED_SALT = 0x7b0a5e;

/** The scalars of one metrics line. */
export interface StepScalars {
  step: number;
  dLoss: number;
  gLoss: number;
  imagesPerSecond: number;
}

/** The evaluation figures of one --eval-every point. */
export interface EvalScalars {
  step: number;
  frechetDistance: number;
  floor: number;
  labelAccuracy: number;
  coverage: number;
}

/** mean sigmoid(D(x)) on real images and mean sigmoid(D(G(z))) on the probe's fakes. */
export interface DiscriminatorReading {
  dReal: number;
  dFake: number;
}

/** The fixed probe batch of a run, as tensors kept until {@link TrainingLog.close}. */
function probeBatch(data: Dataset, seed: number) {
  const n = Math.min(PROBE_SIZE, data.count);
  const rng = createRng((seed ^ PROBE_SEED_SALT) >>> 0);
  const classes = data.classNames.length;
  return {
    images: tf.tensor4d(data.images.slice(0, n * PIXELS_PER_IMAGE), [n, 28, 28, 1]),
    labels: tf.tensor2d(oneHot(data.labels.subarray(0, n)), [n, NUM_CLASSES]),
    z: tf.tensor2d(
      Float32Array.from({ length: n * LATENT_SIZE }, () => rng.normal()),
      [n, LATENT_SIZE],
    ),
    fakeLabels: tf.tensor2d(oneHot(Array.from({ length: n }, () => rng.int(classes))), [
      n,
      NUM_CLASSES,
    ]),
  };
}

/** Writes one run's TensorBoard events. */
export class TrainingLog {
  private readonly writer: EventFileWriter;
  private readonly probe: ReturnType<typeof probeBatch>;

  constructor(
    logdir: string,
    data: Dataset,
    seed: number,
    private readonly gan: { generator: LayersModel; discriminator: LayersModel },
  ) {
    this.writer = new EventFileWriter(logdir);
    this.probe = probeBatch(data, seed);
  }

  /** Where the events go. */
  get path(): string {
    return this.writer.path;
  }

  /** D's reading of the probe batch now (inference mode, nothing updated). */
  readDiscriminator(): DiscriminatorReading {
    const { generator: g, discriminator: d } = this.gan;
    const { images, labels, z, fakeLabels } = this.probe;
    return tf.tidy(() => {
      const real = tf.sigmoid(d.apply([images, labels], { training: false }) as tf.Tensor);
      const fake = g.apply([z, fakeLabels], { training: false }) as tf.Tensor;
      const judged = tf.sigmoid(d.apply([fake, fakeLabels], { training: false }) as tf.Tensor);
      return {
        dReal: tf.mean(real).dataSync()[0] as number,
        dFake: tf.mean(judged).dataSync()[0] as number,
      };
    });
  }

  /** Losses, D(x), D(G(z)) and speed at a metrics line. */
  step({ step, dLoss, gLoss, imagesPerSecond }: StepScalars): void {
    const { dReal, dFake } = this.readDiscriminator();
    this.writer.scalars(step, {
      "loss/D": dLoss,
      "loss/G": gLoss,
      "D/D(x)": dReal,
      "D/D(G(z))": dFake,
      "speed/images_per_second": imagesPerSecond,
    });
  }

  /** A sample grid PNG (8-bit grayscale, as sample-grid.ts writes it). */
  grid(step: number, png: Uint8Array): void {
    const { width, height } = decodeGrayscalePng(png);
    this.writer.image(step, "samples", { png, width, height, channels: 1 });
  }

  /** The --eval-every figures. */
  evaluation({ step, frechetDistance, floor, labelAccuracy, coverage }: EvalScalars): void {
    this.writer.scalars(step, {
      "eval/frechet_distance": frechetDistance,
      "eval/frechet_distance_floor": floor,
      "eval/label_accuracy": labelAccuracy,
      "eval/coverage": coverage,
    });
  }

  close(): void {
    this.writer.close();
    tf.dispose(Object.values(this.probe));
  }
}
