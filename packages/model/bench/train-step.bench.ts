/**
 * Benchmark: one conditional GAN training step (D on real + fake, then G; Adam; batch 64) on the
 * TF.js wasm backend with our training kernels. Prints median/min/max ms and images/s for the DCGAN
 * and the MLP GAN, plus the machine's load (the 2 CPUs are shared, so numbers move with it).
 *
 *   npx tsx packages/model/bench/train-step.bench.ts [--steps 10] [--warmup 3] [--batch 64]
 *     [--arch dcgan|mlp|both] [--stock] [--no-prune] [--profile] [--workers N] [--block 4]
 *     [--pytorch python3] [--parallel-only] [--fma-off-too]
 *
 * Then, in the same run, the data-parallel step over --workers shards (default: every core; the
 * trainer plus N - 1 worker threads) against the one-thread step and the textbook step, in
 * alternating blocks of --block steps so that machine noise hits all alike, with the ratios.
 * With --pytorch, PyTorch's step of the same DCGAN (bench/pytorch-step.py run by that Python,
 * torch.set_num_threads(--workers)) is one more variant in the rotation, with the ratio to it.
 * --parallel-only skips the one-variant runs before the alternating blocks. --fma-off-too adds
 * trainStep on 1 and on N workers with EDGEGAN_FMA_GEMM=0 (the XNNPACK convolutions instead of our
 * FMA GEMM, src/kernels/fma-conv.ts) to the rotation: before against after in one run.
 *
 * --stock registers only the missing Conv2DBackpropFilter (stock Conv2DBackpropInput, BatchMatMul,
 * Tile; no gradient pruning), to measure what the rest buys. --no-prune keeps our kernels but lets
 * fused convs and dense layers compute every gradient. --profile prints the slowest kernels of one step
 * (BENCH_SHAPES=1 also lists each conv-gradient call with its shapes; BENCH_SHAPES=A,B lists the
 * calls of the kernels named A and B instead).
 */
import { spawnSync } from "node:child_process";
import { availableParallelism, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { Architecture } from "@edgegan/shared";
import { LATENT_SIZE } from "@edgegan/shared";
import { createRng } from "@edgegan/shared/rng";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-wasm";
import { createGanStepper } from "../src/data-parallel/data-parallel.ts";
import { buildDiscriminator } from "../src/discriminator.ts";
import { conv2DBackpropFilterConfig } from "../src/kernels/conv2d-backprop-filter.ts";
import { textbookStep } from "../src/textbook-step.ts";
import { createGan, trainStep } from "../src/train-step.ts";
import { initWasmTrainingBackend } from "../src/wasm-backend.ts";
import { randomBatch } from "../test/random-batch.ts";

const { values: opts } = parseArgs({
  options: {
    steps: { type: "string", default: "10" },
    warmup: { type: "string", default: "3" },
    batch: { type: "string", default: "64" },
    arch: { type: "string", default: "both" },
    stock: { type: "boolean", default: false },
    profile: { type: "boolean", default: false },
    "no-prune": { type: "boolean", default: false },
    workers: { type: "string", default: String(availableParallelism()) },
    block: { type: "string", default: "4" },
    pytorch: { type: "string" },
    "parallel-only": { type: "boolean", default: false },
    "fma-off-too": { type: "boolean", default: false },
  },
});

function positiveInt(name: string, text: string | undefined): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer`);
  return n;
}
const steps = positiveInt("steps", opts.steps);
const warmup = Number(opts.warmup);
const batch = positiveInt("batch", opts.batch);
const archs: Architecture[] = opts.arch === "both" ? ["dcgan", "mlp"] : [opts.arch as Architecture];
const workers = positiveInt("workers", opts.workers);
const block = positiveInt("block", opts.block);
if (block < 2)
  throw new Error("--block must be at least 2 (the first step of a block is not counted)");

/** One D step then one G step, exactly as the trainer runs them (packages/model/src/train-step.ts). */
type Step = (real: Float32Array, labels: Float32Array) => void;

const rng = createRng(1);

/** Real images [n, 28, 28, 1] in [-1, 1] and their one-hot labels [n, 10], at random. */
function realBatch(n: number): { real: Float32Array; labels: Float32Array } {
  const { images, labels } = randomBatch(n, n);
  return { real: images, labels };
}

function makeStep(arch: Architecture): Step {
  const gan = createGan({ arch });
  return (images, labels) => {
    const z = rng.fillNormal(new Float32Array((images.length / 784) * LATENT_SIZE)); // [n, 100]
    trainStep(gan, { images, labels, z, fakeLabels: labels });
  };
}

function stats(ms: number[]): { median: number; min: number; max: number } {
  const s = [...ms].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median =
    s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
  return { median, min: s[0] as number, max: s[s.length - 1] as number };
}

async function bench(arch: Architecture): Promise<void> {
  const step = makeStep(arch);
  const { real, labels } = realBatch(batch);
  for (let i = 0; i < warmup; i++) step(real, labels);
  if (opts.profile) {
    const p = await tf.profile(() => step(real, labels));
    const byKernel = new Map<string, { ms: number; calls: number }>();
    for (const k of p.kernels) {
      const e = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
      e.ms += k.kernelTimeMs as number;
      e.calls++;
      byKernel.set(k.name, e);
    }
    const shapesOf = process.env.BENCH_SHAPES;
    if (shapesOf) {
      const named = shapesOf === "1" ? undefined : new Set(shapesOf.split(","));
      const listed = (name: string): boolean =>
        named === undefined
          ? name.startsWith("Conv2DBackprop") || name === "Concat" || name === "SplitV"
          : named.has(name);
      for (const k of p.kernels) {
        if (listed(k.name)) {
          console.log(
            `    ${k.name} ${JSON.stringify(k.inputShapes)} -> ${JSON.stringify(k.outputShapes)} ${(k.kernelTimeMs as number).toFixed(1)} ms`,
          );
        }
      }
    }
    const top = [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, 20);
    console.log(
      `  ${arch} kernel time in one step, ms (calls; nested op scopes like fusedConv2d__op double-count):`,
      top.map(([k, e]) => `${k} ${e.ms.toFixed(1)} (${e.calls})`).join(", "),
    );
  }
  const times: number[] = [];
  const cpuTimes: number[] = [];
  const before = tf.memory().numTensors;
  for (let i = 0; i < steps; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    step(real, labels);
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpuTimes.push((c.user + c.system) / 1000);
  }
  const leaked = tf.memory().numTensors - before;
  const { median, min, max } = stats(times);
  const cpu = stats(cpuTimes);
  console.log(
    `${arch.padEnd(5)} step (batch ${batch}): median ${median.toFixed(1)} ms, min ${min.toFixed(1)}, ` +
      `max ${max.toFixed(1)} over ${steps} steps (${warmup} warmup); ` +
      `${((batch * 1000) / median).toFixed(0)} images/s; ` +
      `process CPU time median ${cpu.median.toFixed(1)} ms/step; tensors leaked: ${leaked}`,
  );
}

/**
 * One block of PyTorch steps of the same DCGAN and batch (a fresh Python process; its first step
 * warms up and is not counted, like the first step of every block here).
 * @returns the step times in ms
 */
function pytorchBlock(python: string): number[] {
  const script = fileURLToPath(new URL("./pytorch-step.py", import.meta.url));
  const args = ["--json", "--threads", String(workers), "--batch", String(batch)];
  const run = spawnSync(python, [script, ...args, "--warmup", "1", "--steps", String(block - 1)], {
    encoding: "utf8",
  });
  if (run.status !== 0) {
    throw new Error(`--pytorch ${python}: ${run.error?.message ?? run.stderr.trim()}`);
  }
  return (JSON.parse(run.stdout) as { times_ms: number[] }).times_ms;
}

/**
 * The textbook step (label maps concatenated, G's forward run twice) and the step as trained
 * (label-map convolution, one G forward) on 1 thread, and the latter on `workers` shards, in
 * alternating blocks; medians and ratios to the textbook single-thread step.
 */
async function benchParallel(arch: Architecture): Promise<void> {
  // the step before the exact savings: G's forward run twice, D's label maps concatenated
  const textbook = {
    ...createGan({ arch }),
    discriminator: buildDiscriminator(arch, "concatenated-maps"),
  };
  const one = createGan({ arch });
  const many = createGan({ arch });
  // Worker threads copy the environment when they start: each stepper keeps the FMA setting it
  // was made with; the trainer's own shard reads it per call, so it is set before each block.
  const fmaOffToo = opts["fma-off-too"];
  const setFma = (on: boolean) => {
    process.env.EDGEGAN_FMA_GEMM = on ? "1" : "0";
  };
  const oneOff = fmaOffToo ? createGan({ arch }) : undefined;
  setFma(false);
  const stepperOff = fmaOffToo
    ? await createGanStepper(createGan({ arch }), workers, "wasm")
    : undefined;
  setFma(true);
  const stepper = await createGanStepper(many, workers, "wasm");
  const { real, labels } = realBatch(batch);
  const z = rng.fillNormal(new Float32Array(batch * LATENT_SIZE)); // [batch, 100]
  const input = { images: real, labels, z, fakeLabels: labels };
  const plain: number[] = [];
  const single: number[] = [];
  const parallel: number[] = [];
  const torch: number[] = [];
  const singleOff: number[] = [];
  const parallelOff: number[] = [];
  const python = arch === "dcgan" ? opts.pytorch : undefined;
  // Blocks of `block` consecutive steps per variant, alternating: interleaved against machine
  // noise, yet back to back within a block as in training (a worker that slept through the other
  // variants' steps starts its first step cold). The first step of each block is not counted.
  const timeBlock = async (into: number[], run: () => unknown, count: boolean) => {
    for (let k = 0; k < block; k++) {
      const t0 = performance.now();
      await run();
      if (count && k > 0) into.push(performance.now() - t0);
    }
  };
  try {
    for (let round = 0; round * (block - 1) < warmup + steps; round++) {
      const count = round * (block - 1) >= warmup;
      await timeBlock(plain, () => textbookStep(textbook, input), count);
      await timeBlock(single, () => trainStep(one, input), count);
      await timeBlock(parallel, () => stepper.step(input), count);
      if (oneOff !== undefined && stepperOff !== undefined) {
        setFma(false);
        await timeBlock(singleOff, () => trainStep(oneOff, input), count);
        await timeBlock(parallelOff, () => stepperOff.step(input), count);
        setFma(true);
      }
      if (python !== undefined) {
        const times = pytorchBlock(python);
        if (count) torch.push(...times);
      }
    }
  } finally {
    await stepper.close();
    await stepperOff?.close();
  }
  const [p, a, b] = [plain, single, parallel].map((t) => stats(t).median) as [
    number,
    number,
    number,
  ];
  console.log(
    `${arch.padEnd(5)} step (batch ${batch}), medians of ${parallel.length} steps each (alternating blocks of ${block}): ` +
      `textbook 1 worker ${p.toFixed(1)} ms; trainStep 1 worker ${a.toFixed(1)} ms (${(p / a).toFixed(2)}x); ` +
      `trainStep ${workers} workers ${b.toFixed(1)} ms (${(p / b).toFixed(2)}x the textbook step, ${(a / b).toFixed(2)}x trainStep on 1 worker)`,
  );
  const quartiles = (t: number[]) => {
    const s = [...t].sort((x, y) => x - y);
    const at = (q: number) =>
      (s[Math.min(s.length - 1, Math.floor(q * s.length))] as number).toFixed(1);
    return `p25 ${at(0.25)}, p50 ${stats(t).median.toFixed(1)}, p75 ${at(0.75)}, p99 ${at(0.99)}`;
  };
  console.log(`  trainStep ${workers} workers: ${quartiles(parallel)} ms`);
  if (singleOff.length > 0) {
    const [a0, b0] = [singleOff, parallelOff].map((t) => stats(t).median) as [number, number];
    console.log(
      `  EDGEGAN_FMA_GEMM=0 (XNNPACK convolutions), same blocks: trainStep 1 worker ${a0.toFixed(1)} ms ` +
        `(FMA on / off = ${(a / a0).toFixed(2)}x); ${workers} workers ${quartiles(parallelOff)} ms ` +
        `(FMA on / off = ${(b / b0).toFixed(2)}x)`,
    );
  }
  if (torch.length > 0) {
    const t = stats(torch).median;
    console.log(
      `  PyTorch ${workers} threads, same blocks: ${quartiles(torch)} ms over ${torch.length} steps; ` +
        `EdgeGAN ${workers} workers / PyTorch = ${(b / t).toFixed(2)}x` +
        (parallelOff.length > 0
          ? ` (with EDGEGAN_FMA_GEMM=0: ${(stats(parallelOff).median / t).toFixed(2)}x)`
          : ""),
    );
  }
}

async function main(): Promise<void> {
  if (opts.stock) {
    tf.registerKernel(conv2DBackpropFilterConfig); // only the missing kernel
    await tf.setBackend("wasm");
  } else {
    await initWasmTrainingBackend({ pruneFusedGradients: !opts["no-prune"] });
  }
  const [l1, l5] = loadavg();
  console.log(
    `${new Date().toISOString()} backend ${tf.getBackend()} (${opts.stock ? "stock kernels + Conv2DBackpropFilter" : "EdgeGAN training kernels"}), ` +
      `load average ${l1?.toFixed(2)} / ${l5?.toFixed(2)} (1/5 min)`,
  );
  if (!opts["parallel-only"]) for (const arch of archs) await bench(arch);
  if (!opts.stock && workers > 1) {
    console.log(`data-parallel (--workers ${workers}):`);
    for (const arch of archs) await benchParallel(arch);
    const [a1, a5] = loadavg();
    console.log(`load average at the end ${a1?.toFixed(2)} / ${a5?.toFixed(2)} (1/5 min)`);
  }
}

await main();
