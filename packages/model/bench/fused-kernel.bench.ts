/**
 * Benchmark: one of our fused wasm kernels against what TF.js runs without it, on the work it
 * replaces alone and in the DCGAN step of one 32-image shard (what each replica runs with 2
 * workers). One process, the two variants alternating round by round, each pair in both orders
 * (the kernel unregistered for the other), medians of wall and of CPU time, so the machine's load
 * falls on both alike.
 *
 *   npx tsx packages/model/bench/fused-kernel.bench.ts --kernel leaky-relu|adam [--rounds 15] [--batch 32]
 *
 * leaky-relu: LeakyReLU's gradient (src/kernels/leaky-relu.ts) against TF.js's Greater, Multiply
 * and Select, on D's two activation shapes. adam: Adam's update (src/kernels/adam.ts) against
 * TF.js's 14 kernels a variable, on both networks' variables.
 */
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { LATENT_SIZE } from "@edgegan/shared";
import * as tf from "@tensorflow/tfjs-core";
import { adamUpdateWasmConfig } from "../src/kernels/adam.ts";
import { leakyReluGradWasmConfig } from "../src/kernels/leaky-relu.ts";
import { createGan, type Gan, named, trainableVariables, trainStep } from "../src/train-step.ts";
import { initWasmTrainingBackend } from "../src/wasm-backend.ts";
import { randomBatch } from "../test/random-batch.ts";
import { median, timeInterleaved } from "./interleaved.ts";

/** A fused kernel and the work it replaces, timed alone. */
interface FusedKernel {
  config: tf.KernelConfig;
  /** What the replaced work is, for the report. */
  work: string;
  /** The replaced work, for `gan`'s shapes and `batch` images. */
  makeWork(gan: Gan, batch: number): () => void;
}

const KERNELS: Record<string, FusedKernel> = {
  "leaky-relu": {
    config: leakyReluGradWasmConfig,
    work: "D's two LeakyReLU gradients",
    makeWork: (_gan, batch) => {
      // D's activations: [batch, 14, 14, 64] after its first conv, [batch, 7, 7, 128] after its second
      const shapes = [
        [batch, 14, 14, 64],
        [batch, 7, 7, 128],
      ];
      const inputs = shapes.map((s) => [tf.randomNormal(s), tf.randomNormal(s)] as const);
      return () =>
        tf.tidy(() => {
          for (const [x, dy] of inputs)
            tf.grad((v: tf.Tensor) => tf.leakyRelu(v, 0.2))(x, dy).dataSync();
        });
    },
  },
  adam: {
    config: adamUpdateWasmConfig,
    work: "Adam on both networks' variables",
    makeWork: (gan) => {
      const gradientsOf = (model: Gan["generator"]) =>
        named(
          Object.fromEntries(
            trainableVariables(model).map((v) => [v.name, tf.randomNormal(v.shape)]),
          ),
        );
      const g = gradientsOf(gan.generator);
      const d = gradientsOf(gan.discriminator);
      return () => {
        gan.gOptimizer.applyGradients(g);
        gan.dOptimizer.applyGradients(d);
        gan.generator.trainableWeights[0]?.read().dataSync(); // wait for the update
      };
    },
  },
};

const { values: opts } = parseArgs({
  options: {
    kernel: { type: "string" },
    rounds: { type: "string", default: "15" },
    batch: { type: "string", default: "32" },
  },
});
const rounds = Number(opts.rounds);
const batch = Number(opts.batch);
if (!Number.isInteger(rounds) || rounds < 1 || !Number.isInteger(batch) || batch < 1)
  throw new Error("--rounds and --batch must be positive integers");
const kernel = KERNELS[opts.kernel ?? ""];
if (kernel === undefined)
  throw new Error(
    `--kernel must be one of ${Object.keys(KERNELS).join(", ")} (got ${opts.kernel})`,
  );

await initWasmTrainingBackend();
const { kernelName } = kernel.config;
const setFused = (on: boolean) => {
  const registered = tf.getKernel(kernelName, "wasm") !== undefined;
  if (on && !registered) tf.registerKernel(kernel.config);
  if (!on && registered) tf.unregisterKernel(kernelName, "wasm");
};

const gan = createGan({ arch: "dcgan" });
const data = randomBatch(batch, 1);
const z = tf.randomNormal([batch, LATENT_SIZE]).dataSync() as Float32Array;
const step = () =>
  trainStep(gan, { images: data.images, labels: data.labels, z, fakeLabels: data.labels });
step(); // Adam's moments exist from here on, for both variants
const work = kernel.makeWork(gan, batch);

const variants = [
  { name: `${kernel.work}, TF.js's kernels`, fused: false, run: work },
  { name: `${kernel.work}, fused`, fused: true, run: work },
  { name: `DCGAN step, batch ${batch}, TF.js's kernels`, fused: false, run: step },
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
  `${kernelName}: ${rounds} rounds, load ${load0.toFixed(2)} -> ${(loadavg()[0] as number).toFixed(2)}; medians (wall ms | CPU ms)`,
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
    `  ${variants[i + 1]?.name}: ${w1.toFixed(1)} | ${c1.toFixed(1)}  (fused / TF.js's: wall ${(w1 / w0).toFixed(2)}x, CPU ${(c1 / c0).toFixed(2)}x)`,
  );
}
