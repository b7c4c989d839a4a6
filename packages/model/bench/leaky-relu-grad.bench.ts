/**
 * Benchmark: LeakyReLU's fused gradient (src/kernels/leaky-relu.ts) against TF.js's three
 * kernels (Greater, Multiply, Select), on D's two activation shapes alone and in the DCGAN step of
 * one 32-image shard (what each replica runs with 2 workers). One process, the two variants
 * alternating round by round, each pair in both orders (the fused kernel unregistered for the other), medians of wall and
 * of CPU time, so the machine's load falls on both alike.
 *
 *   npx tsx packages/model/bench/leaky-relu-grad.bench.ts [--rounds 15] [--batch 32]
 */
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { LATENT_SIZE } from "@edgegan/shared";
import * as tf from "@tensorflow/tfjs-core";
import { LEAKY_RELU_GRAD, leakyReluGradWasmConfig } from "../src/kernels/leaky-relu.ts";
import { createGan, trainStep } from "../src/train-step.ts";
import { initWasmTrainingBackend } from "../src/wasm-backend.ts";
import { randomBatch } from "../test/random-batch.ts";
import { median, timeInterleaved } from "./interleaved.ts";

const { values: opts } = parseArgs({
  options: { rounds: { type: "string", default: "15" }, batch: { type: "string", default: "32" } },
});
const rounds = Number(opts.rounds);
const batch = Number(opts.batch);
if (!Number.isInteger(rounds) || rounds < 1 || !Number.isInteger(batch) || batch < 1)
  throw new Error("--rounds and --batch must be positive integers");

await initWasmTrainingBackend();
const setFused = (on: boolean) => {
  const registered = tf.getKernel(LEAKY_RELU_GRAD, "wasm") !== undefined;
  if (on && !registered) tf.registerKernel(leakyReluGradWasmConfig);
  if (!on && registered) tf.unregisterKernel(LEAKY_RELU_GRAD, "wasm");
};

// D's activations: [batch, 14, 14, 64] after its first conv, [batch, 7, 7, 128] after its second
const shapes = [
  [batch, 14, 14, 64],
  [batch, 7, 7, 128],
];
const inputs = shapes.map((s) => [tf.randomNormal(s), tf.randomNormal(s)] as const);
const gradients = () =>
  tf.tidy(() => {
    for (const [x, dy] of inputs) tf.grad((v: tf.Tensor) => tf.leakyRelu(v, 0.2))(x, dy).dataSync();
  });
const gan = createGan({ arch: "dcgan" });
const data = randomBatch(batch, 1);
const z = tf.randomNormal([batch, LATENT_SIZE]).dataSync() as Float32Array;
const step = () =>
  trainStep(gan, { images: data.images, labels: data.labels, z, fakeLabels: data.labels });

const variants = [
  { name: "D's two gradients, TF.js's three kernels", fused: false, run: gradients },
  { name: "D's two gradients, fused", fused: true, run: gradients },
  { name: `DCGAN step, batch ${batch}, TF.js's three kernels`, fused: false, run: step },
  { name: `DCGAN step, batch ${batch}, fused`, fused: true, run: step },
];
const load0 = loadavg()[0] as number;
// each pair in both orders: odd rounds run the fused variant first
const { wall, cpu } = timeInterleaved(
  variants.map((v) => ({
    run: () => {
      setFused(v.fused); // a registry lookup, timed with the call
      v.run();
    },
  })),
  rounds,
  2,
  (r) => variants.map((_, i) => (r % 2 === 1 ? i ^ 1 : i)),
);
setFused(true);
console.log(
  `${rounds} rounds, load ${load0.toFixed(2)} -> ${(loadavg()[0] as number).toFixed(2)}; medians (wall ms | CPU ms)`,
);
for (let i = 0; i < variants.length; i += 2) {
  const [w0, w1, c0, c1] = [
    median(wall[i]),
    median(wall[i + 1]),
    median(cpu[i]),
    median(cpu[i + 1]),
  ];
  console.log(`  ${variants[i]?.name}: ${w0.toFixed(1)} | ${c0.toFixed(1)}`);
  console.log(
    `  ${variants[i + 1]?.name}: ${w1.toFixed(1)} | ${c1.toFixed(1)}  (fused / three kernels: wall ${(w1 / w0).toFixed(2)}x, CPU ${(c1 / c0).toFixed(2)}x)`,
  );
}
