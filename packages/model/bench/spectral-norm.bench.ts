/**
 * Benchmark: the step-time cost of `--spectral-norm`, the DCGAN step with it against without it,
 * in alternating blocks (A, B, A, B ...) in one run so that the machine's load hits both alike.
 * With the option D also has no BatchNorm, so this is the option's whole cost, as training pays it.
 *
 *   npx tsx packages/model/bench/spectral-norm.bench.ts [--steps 24] [--block 4] [--batch 64]
 *     [--generator-width 64] [--workers 1]
 *
 * Prints p50 / p99 ms per step of each, their ratio, and the load average before and after.
 */
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { createGanStepper, type GanStepper } from "../src/data-parallel/data-parallel.ts";
import { createGan } from "../src/train-step.ts";
import { initWasmTrainingBackend } from "../src/wasm-backend.ts";
import { randomBatch } from "../test/random-batch.ts";

const { values: opts } = parseArgs({
  options: {
    steps: { type: "string", default: "24" },
    block: { type: "string", default: "4" },
    batch: { type: "string", default: "64" },
    "generator-width": { type: "string", default: "64" },
    workers: { type: "string", default: "1" },
  },
});
const [steps, block, batch, width, workers] = [
  opts.steps,
  opts.block,
  opts.batch,
  opts["generator-width"],
  opts.workers,
].map(Number) as [number, number, number, number, number];

const percentile = (ms: number[], q: number) => {
  const s = [...ms].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] as number;
};
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" / ");

await initWasmTrainingBackend();
console.log(`${new Date().toISOString()} load average ${load()} (1/5/15 min)`);
const variants: { name: string; stepper: GanStepper; times: number[] }[] = [];
for (const spectralNorm of [false, true]) {
  const gan = createGan({ arch: "dcgan", generatorWidth: width, loss: "hinge", spectralNorm });
  const stepper = await createGanStepper(gan, workers, "wasm");
  variants.push({ name: spectralNorm ? "--spectral-norm" : "without", stepper, times: [] });
}
const input = randomBatch(batch, 1);
try {
  // the first step of each block is not counted (a worker that waited starts cold)
  for (let round = 0; round * (block - 1) < steps; round++) {
    for (const variant of variants) {
      for (let k = 0; k < block; k++) {
        const t0 = performance.now();
        await variant.stepper.step(input);
        if (k > 0 && round > 0) variant.times.push(performance.now() - t0);
      }
    }
  }
} finally {
  for (const v of variants) await v.stepper.close();
}
const [off, on] = variants.map((v) => ({
  name: v.name,
  p50: percentile(v.times, 0.5),
  p99: percentile(v.times, 0.99),
  n: v.times.length,
})) as [
  { name: string; p50: number; p99: number; n: number },
  { name: string; p50: number; p99: number; n: number },
];
for (const v of [off, on]) {
  console.log(
    `${v.name.padEnd(16)} p50 ${v.p50.toFixed(1)} ms, p99 ${v.p99.toFixed(1)} ms (${v.n} steps)`,
  );
}
console.log(
  `DCGAN width ${width}, batch ${batch}, ${workers} worker(s), hinge loss, blocks of ${block}: ` +
    `--spectral-norm / without = ${(on.p50 / off.p50).toFixed(3)} (p50), ${(on.p99 / off.p99).toFixed(3)} (p99); load average at the end ${load()}`,
);
