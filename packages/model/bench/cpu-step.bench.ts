/**
 * Bench: one conditional DCGAN step (batch 64) on the pure-JS cpu backend, with EdgeGAN's flat-array
 * Conv2DBackpropFilter (what `--backend cpu` uses) and, with --stock, the stock kernel.
 * Run: npx tsx packages/model/bench/cpu-step.bench.ts [--steps N] [--stock]
 */
import "@tensorflow/tfjs-backend-cpu";
import { LATENT_SIZE, NUM_CLASSES, oneHot } from "@edgegan/shared";
import { createRng } from "@edgegan/shared/rng";
import * as tf from "@tensorflow/tfjs-core";
import { registerCpuTrainingKernels } from "../src/kernels/cpu-conv2d-backprop-filter.ts";
import { createGan, trainStep } from "../src/train-step.ts";

const args = process.argv.slice(2);
const steps = Number(args[args.indexOf("--steps") + 1] ?? 3) || 3;
const stock = args.includes("--stock");
if (!stock) registerCpuTrainingKernels();
await tf.setBackend("cpu");

const batch = 64;
const gan = createGan({ arch: "dcgan" });
const rng = createRng(1);
const labels = oneHot(Array.from({ length: batch }, (_, i) => i % NUM_CLASSES));
const times: number[] = [];
for (let s = 0; s < steps + 1; s++) {
  const t0 = performance.now();
  trainStep(gan, {
    images: Float32Array.from({ length: batch * 784 }, () => Math.random() * 2 - 1), // [64, 28, 28, 1]
    labels, // [64, 10]
    z: rng.fillNormal(new Float32Array(batch * LATENT_SIZE)), // [64, 100]
    fakeLabels: labels,
  });
  if (s > 0) times.push(performance.now() - t0); // first step: warm-up (optimizer slots)
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)] as number;
console.log(
  `cpu backend, ${stock ? "stock" : "EdgeGAN"} Conv2DBackpropFilter: dcgan step (batch 64) median ${median.toFixed(0)} ms over ${times.length} steps (1 warm-up)`,
);
