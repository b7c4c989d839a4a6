/**
 * Where the DCGAN training step's time goes, per operation, beside PyTorch's own profile of the
 * same step (bench/pytorch-step.py): the table in docs/step-profile.md comes from this.
 *
 *   npx tsx packages/model/bench/step-profile.ts [--steps 6] [--warmup 2] [--workers 2]
 *     [--python python3]
 *
 * TF.js side: every wasm kernel call is timed (nested kernels count once, in the outer one) and
 * put in a row by what it does: a kernel inside an Adam update counts as Adam, otherwise the
 * gradient tape's "forward"/"backward" scope tells a convolution's forward pass from its
 * backprop-input (G's transposed conv runs as Conv2DBackpropInput forward and as Conv2D
 * backward). Profiled on one thread at batch 64 and at 32 (one replica's shard with 2 workers),
 * then the data-parallel step with the replicas' averaging and barrier times. Each row is the
 * median over the profiled steps (the machine is shared; medians resist its noise).
 */

import { spawnSync } from "node:child_process";
import { availableParallelism, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs-core";
import { createGanStepper } from "../src/data-parallel/data-parallel.ts";
import { createGan, trainStep } from "../src/train-step.ts";
import { initWasmTrainingBackend } from "../src/wasm-backend.ts";
import { randomBatch } from "../test/random-batch.ts";

const { values: opts } = parseArgs({
  options: {
    steps: { type: "string", default: "6" },
    warmup: { type: "string", default: "2" },
    workers: { type: "string", default: String(availableParallelism()) },
    python: { type: "string", default: "python3" },
  },
});
const steps = Number(opts.steps);
const warmup = Number(opts.warmup);
const workers = Number(opts.workers);

/** The table's rows, in order. */
const ROWS = [
  "conv forward (D's convs, G's transposed convs)",
  "conv backprop-input",
  "conv backprop-filter",
  "dense matmul (forward + backward)",
  "BatchNorm, activations, losses, other element-wise (fwd + bwd)",
  "Adam (both networks)",
  "outside kernels (JS/Python: tape, dispatch, allocation)",
  "gradient averaging (data-parallel)",
  "waiting for the other replica (data-parallel)",
] as const;
type Row = (typeof ROWS)[number];

const CONV_FORWARD_KERNELS = new Set(["Conv2D", "FusedConv2D", "Conv2DBackpropInput"]);
const MATMUL_KERNELS = new Set(["BatchMatMul", "_FusedMatMul"]);

let inAdam = false;
let depth = 0;
let current = new Map<Row, number>();

/** The phase of the innermost gradient scope ("forward" or "backward"), if any. */
function tapePhase(): string | null {
  const stack = (tf.engine().state as unknown as { scopeStack: { name: string }[] }).scopeStack;
  for (let i = stack.length - 1; i >= 0; i--) {
    const name = stack[i]?.name;
    if (name === "forward" || name === "backward") return name;
  }
  return null;
}

function rowOf(kernel: string): Row {
  if (inAdam) return "Adam (both networks)";
  if (kernel === "Conv2DBackpropFilter") return "conv backprop-filter";
  if (CONV_FORWARD_KERNELS.has(kernel)) {
    return tapePhase() === "backward"
      ? "conv backprop-input"
      : "conv forward (D's convs, G's transposed convs)";
  }
  if (MATMUL_KERNELS.has(kernel)) return "dense matmul (forward + backward)";
  return "BatchNorm, activations, losses, other element-wise (fwd + bwd)";
}

/** Time every wasm kernel (outermost calls only) into `current`. */
function instrumentKernels(): void {
  for (const config of tf.getKernelsForBackend("wasm")) {
    const inner = config.kernelFunc;
    config.kernelFunc = ((args: Parameters<tf.KernelFunc>[0]) => {
      if (depth > 0) return inner(args);
      depth++;
      const t0 = performance.now();
      try {
        return inner(args);
      } finally {
        const row = rowOf(config.kernelName);
        current.set(row, (current.get(row) ?? 0) + performance.now() - t0);
        depth--;
      }
    }) as tf.KernelFunc;
  }
  const proto = tf.AdamOptimizer.prototype;
  const apply = proto.applyGradients;
  proto.applyGradients = function (this: tf.AdamOptimizer, grads) {
    inAdam = true;
    try {
      return apply.call(this, grads);
    } finally {
      inAdam = false;
    }
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

type Profile = { wallMs: number; rows: Map<Row, number> };

/** Median wall time and per-row kernel time of the one-thread step at `n` images. */
function profileOneThread(n: number): Profile {
  const gan = createGan({ arch: "dcgan" });
  const batch = randomBatch(n, n);
  const perStep: Map<Row, number>[] = [];
  const walls: number[] = [];
  for (let i = 0; i < warmup + steps; i++) {
    current = new Map();
    const t0 = performance.now();
    trainStep(gan, batch);
    const wall = performance.now() - t0;
    if (i < warmup) continue;
    const inKernels = [...current.values()].reduce((a, b) => a + b, 0);
    current.set("outside kernels (JS/Python: tape, dispatch, allocation)", wall - inKernels);
    perStep.push(current);
    walls.push(wall);
  }
  const rows = new Map<Row, number>();
  for (const row of ROWS) {
    const values = perStep.map((m) => m.get(row) ?? 0);
    if (values.some((v) => v > 0)) rows.set(row, median(values));
  }
  return { wallMs: median(walls), rows };
}

/** The data-parallel step: wall time and the replicas' averaging and waiting per step. */
async function profileParallel(n: number): Promise<Profile & { replicas: string[] }> {
  const gan = createGan({ arch: "dcgan" });
  const stepper = await createGanStepper(gan, workers, "wasm");
  const batch = randomBatch(n, n);
  const walls: number[] = [];
  try {
    for (let i = 0; i < warmup; i++) await stepper.step(batch);
    const before = stepper.timings();
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      await stepper.step(batch);
      walls.push(performance.now() - t0);
    }
    const after = stepper.timings();
    const perStep = after.map((t, r) => ({
      averageMs: (t.averageMs - (before[r]?.averageMs ?? 0)) / steps,
      waitMs: (t.waitMs - (before[r]?.waitMs ?? 0)) / steps,
    }));
    const mean = (k: "averageMs" | "waitMs") =>
      perStep.reduce((a, t) => a + t[k], 0) / perStep.length;
    return {
      wallMs: median(walls),
      rows: new Map<Row, number>([
        ["gradient averaging (data-parallel)", mean("averageMs")],
        ["waiting for the other replica (data-parallel)", mean("waitMs")],
      ]),
      replicas: perStep.map(
        (t, r) =>
          `replica ${r}: averaging ${t.averageMs.toFixed(1)} ms, waiting ${t.waitMs.toFixed(1)} ms`,
      ),
    };
  } finally {
    await stepper.close();
  }
}

interface TorchProfile {
  torch: string;
  median_ms: number;
  profile_ms: Record<string, number>;
}

function runPyTorch(): TorchProfile | null {
  const script = fileURLToPath(new URL("./pytorch-step.py", import.meta.url));
  const run = spawnSync(
    opts.python as string,
    [script, "--threads", String(workers), "--profile", "--json", "--steps", String(steps)],
    { encoding: "utf8" },
  );
  if (run.status !== 0) {
    console.log(
      `(PyTorch not profiled: ${run.error?.message ?? run.stderr.trim().split("\n").pop()})`,
    );
    return null;
  }
  return JSON.parse(run.stdout) as TorchProfile;
}

/** PyTorch's operator groups (pytorch-step.py) on this table's rows. */
function torchRows(p: TorchProfile): Map<Row, number> {
  const g = p.profile_ms;
  const get = (k: string) => g[k] ?? 0;
  const rows = new Map<Row, number>([
    ["conv forward (D's convs, G's transposed convs)", get("conv forward")],
    ["conv backprop-input", get("conv backward (input + filter)")],
    ["dense matmul (forward + backward)", get("matmul (dense layers, fwd + bwd)")],
    [
      "BatchNorm, activations, losses, other element-wise (fwd + bwd)",
      get("BatchNorm (fwd + bwd)") + get("other (activations, losses, concat, copies, ...)"),
    ],
    ["Adam (both networks)", get("Adam")],
  ]);
  const inOps = [...rows.values()].reduce((a, b) => a + b, 0);
  rows.set("outside kernels (JS/Python: tape, dispatch, allocation)", p.median_ms - inOps);
  return rows;
}

async function main(): Promise<void> {
  await initWasmTrainingBackend();
  instrumentKernels();
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(2))
      .join(" / ");
  console.log(`load average before: ${load()} (1/5/15 min)`);
  const torchBefore = runPyTorch();
  const one64 = profileOneThread(64);
  const one32 = profileOneThread(32);
  const parallel = await profileParallel(64);
  const torchAfter = runPyTorch();
  console.log(`load average after: ${load()}`);
  const torch = torchAfter ?? torchBefore;
  const tr = torch ? torchRows(torch) : new Map<Row, number>();
  const cell = (m: Map<Row, number>, row: Row) => {
    const v = m.get(row);
    return v === undefined ? "" : v.toFixed(1);
  };
  console.log(
    `\n| ms per step | TF.js wasm, 1 thread, batch 64 | TF.js wasm, 1 thread, batch 32 (one shard) | TF.js, ${workers} workers, batch 64 | PyTorch ${torch?.torch ?? "-"}, ${workers} threads, batch 64 |`,
  );
  console.log("|---|---:|---:|---:|---:|");
  for (const row of ROWS) {
    const label = row === "conv backprop-input" && torch ? `${row} (PyTorch: input + filter)` : row;
    console.log(
      `| ${label} | ${cell(one64.rows, row)} | ${cell(one32.rows, row)} | ${cell(parallel.rows, row)} | ${cell(tr, row)} |`,
    );
  }
  const torchWall = [torchBefore, torchAfter]
    .map((p) => p?.median_ms.toFixed(1) ?? "-")
    .join(" / ");
  console.log(
    `| **step (median wall time)** | **${one64.wallMs.toFixed(1)}** | **${one32.wallMs.toFixed(1)}** | **${parallel.wallMs.toFixed(1)}** | **${torchWall}** (before / after) |`,
  );
  console.log(`\n${parallel.replicas.join("; ")}`);
}

await main();
