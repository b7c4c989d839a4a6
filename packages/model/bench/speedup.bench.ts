/**
 * Benchmark: one of our training speed-ups switched on and off, on the work it changes alone and
 * in the DCGAN step of one 32-image shard (what each replica runs with 2 workers). One process,
 * the two variants alternating round by round, each pair in both orders, medians of wall and of
 * CPU time, so the machine's load falls on both alike.
 *
 *   npx tsx packages/model/bench/speedup.bench.ts --speedup NAME [--rounds 15] [--batch 32]
 *
 * leaky-relu: LeakyReLU's fused gradient (src/kernels/leaky-relu.ts) against TF.js's Greater,
 * Multiply and Select, on D's two activation shapes. adam: Adam's fused update (src/kernels/adam.ts)
 * against TF.js's 14 kernels a variable, on both networks' variables. batch-norm: the closed-form
 * BatchNorm gradient (src/batch-norm-training.ts) against tf.layers', on G's and D's BatchNorm
 * shapes. fma-mat-mul: dense products on our FMA GEMM (src/kernels/fma-mat-mul.ts) against
 * XNNPACK's, on the step's three large ones. pruned-gradients: linear fused convs and matMuls recorded as their plain op
 * (src/kernels/pruned-fused-gradients.ts) against TF.js's fused gradients, on the step alone.
 */
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { LATENT_SIZE } from "@edgegan/shared";
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import {
  disableClosedFormBatchNorm,
  enableClosedFormBatchNorm,
} from "../src/batch-norm-training.ts";
import { adamUpdateWasmConfig } from "../src/kernels/adam.ts";
import { leakyReluGradWasmConfig } from "../src/kernels/leaky-relu.ts";
import {
  disablePrunedFusedGradients,
  enablePrunedFusedGradients,
} from "../src/kernels/pruned-fused-gradients.ts";
import { createGan, type Gan, named, trainableVariables, trainStep } from "../src/train-step.ts";
import { initWasmTrainingBackend } from "../src/wasm-backend.ts";
import { randomBatch } from "../test/random-batch.ts";
import { median, timeInterleaved } from "./interleaved.ts";

/** A speed-up, the switch that turns it on and off, and the work it changes, timed alone. */
interface Speedup {
  set(on: boolean): void;
  /** What the changed work is, for the report; none: the step alone. */
  work?: string;
  makeWork?(gan: Gan, batch: number): () => void;
}

/** A kernel registered on wasm or not. */
function kernelSwitch(config: tf.KernelConfig): (on: boolean) => void {
  return (on) => {
    const registered = tf.getKernel(config.kernelName, "wasm") !== undefined;
    if (on && !registered) tf.registerKernel(config);
    if (!on && registered) tf.unregisterKernel(config.kernelName, "wasm");
  };
}

const SPEEDUPS: Record<string, Speedup> = {
  "leaky-relu": {
    set: kernelSwitch(leakyReluGradWasmConfig),
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
    set: kernelSwitch(adamUpdateWasmConfig),
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
  "batch-norm": {
    set: (on) => (on ? enableClosedFormBatchNorm() : disableClosedFormBatchNorm()),
    work: "G's two and D's BatchNorm, forward and gradients",
    makeWork: (gan, batch) => {
      const layers = [...gan.generator.layers, ...gan.discriminator.layers].filter(
        (l) => l.getClassName() === "BatchNormalization",
      );
      const passes = layers.map((layer) => {
        const shape = (layer.input as tfl.SymbolicTensor).shape.map((d) => d ?? batch);
        const x = tf.variable(tf.randomNormal(shape));
        const dy = tf.randomNormal(shape);
        const variables = [x, ...trainableVariables(layer as unknown as Gan["generator"])];
        const loss = () => tf.sum(tf.mul(layer.apply(x, { training: true }) as tf.Tensor, dy));
        return () => tf.variableGrads(loss as () => tf.Scalar, variables);
      });
      return () =>
        tf.tidy(() => {
          for (const pass of passes) for (const g of Object.values(pass().grads)) g.dataSync();
        });
    },
  },
  "fma-mat-mul": {
    set: (on) => {
      process.env.EDGEGAN_FMA_MATMUL = on ? "1" : "0";
    },
    work: "G's dense layer and the dense weight gradients",
    makeWork: (_gan, batch) => {
      const pairs = [
        [[batch, 110], [110, 6272], false],
        [[batch, 110], [batch, 6272], true],
        [[batch, 10], [batch, 12544], true],
      ] as const;
      const operands = pairs.map(
        ([a, b, t]) => [tf.randomNormal([...a]), tf.randomNormal([...b]), t] as const,
      );
      return () =>
        tf.tidy(() => {
          for (const [a, b, t] of operands) tf.matMul(a, b, t, false).dataSync();
        });
    },
  },
  "pruned-gradients": {
    set: (on) => (on ? enablePrunedFusedGradients() : disablePrunedFusedGradients()),
  },
};

const { values: opts } = parseArgs({
  options: {
    speedup: { type: "string" },
    rounds: { type: "string", default: "15" },
    batch: { type: "string", default: "32" },
  },
});
const rounds = Number(opts.rounds);
const batch = Number(opts.batch);
if (!Number.isInteger(rounds) || rounds < 1 || !Number.isInteger(batch) || batch < 1)
  throw new Error("--rounds and --batch must be positive integers");
const speedup = SPEEDUPS[opts.speedup ?? ""];
if (speedup === undefined)
  throw new Error(
    `--speedup must be one of ${Object.keys(SPEEDUPS).join(", ")} (got ${opts.speedup})`,
  );

await initWasmTrainingBackend();
const gan = createGan({ arch: "dcgan" });
const data = randomBatch(batch, 1);
const z = tf.randomNormal([batch, LATENT_SIZE]).dataSync() as Float32Array;
const step = () =>
  trainStep(gan, { images: data.images, labels: data.labels, z, fakeLabels: data.labels });
step(); // Adam's moments exist from here on, for both variants

const pairs: { name: string; run: () => void }[] = [];
if (speedup.work !== undefined && speedup.makeWork !== undefined)
  pairs.push({ name: speedup.work, run: speedup.makeWork(gan, batch) });
pairs.push({ name: `DCGAN step, batch ${batch}`, run: step });
const variants = pairs.flatMap((p) => [
  { name: `${p.name}, off`, on: false, run: p.run },
  { name: `${p.name}, on`, on: true, run: p.run },
]);
const load0 = loadavg()[0] as number;
// each pair in both orders: odd rounds run the "on" variant first
const { wall, cpu } = timeInterleaved(
  variants.map((v) => ({
    run: () => {
      speedup.set(v.on); // a registry lookup or a flag, timed with the call
      v.run();
    },
  })),
  rounds,
  2,
  (r) => variants.map((_, i) => (r % 2 === 1 ? i ^ 1 : i)),
);
speedup.set(true);
console.log(
  `${opts.speedup}: ${rounds} rounds, load ${load0.toFixed(2)} -> ${(loadavg()[0] as number).toFixed(2)}; medians (wall ms | CPU ms)`,
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
    `  ${variants[i + 1]?.name}: ${w1.toFixed(1)} | ${c1.toFixed(1)}  (on / off: wall ${(w1 / w0).toFixed(2)}x, CPU ${(c1 / c0).toFixed(2)}x)`,
  );
}
