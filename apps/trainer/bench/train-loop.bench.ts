/**
 * Bench: where one iteration of the real training loop goes, part by part. Runs `train()` on MNIST
 * with the default settings (DCGAN, batch 64, every core) for a few hundred steps into a temp
 * folder, with a LoopProfile, and prints the median of each part per iteration: the step, the
 * trainer's own work around it (batch, EMA, metrics, progress, checkpoint checks) and the
 * replicas' counters (averaging, barrier waits, the worker's idle time between steps).
 *
 * Run: npx tsx bench/train-loop.bench.ts [--steps 150] [--skip 10] [--workers 2] [--json FILE]
 *   --skip: iterations not counted (the first steps warm up the kernels and the workers)
 *   --json: also write the medians and every iteration's wall time to FILE (to compare runs)
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_TRAIN_CONFIG } from "@edgegan/shared/train-config";
import { LOOP_PARTS, LoopProfile, NESTED_PARTS, REPLICA_PARTS } from "../src/loop-profile.ts";
import { train } from "../src/train.ts";

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) =>
  args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback;
const steps = flag("--steps", 150);
const skip = flag("--skip", 10);
const workers = flag("--workers", 2);
const jsonOut = args.includes("--json") ? args[args.indexOf("--json") + 1] : undefined;

const out = mkdtempSync(join(tmpdir(), "edgegan-loop-bench-"));
const profile = new LoopProfile();
// stop as a signal would once `steps` iterations are timed: the run checkpoints and returns
// without the grid and export a finished run makes (not part of the loop)
const stop = new AbortController();
const watch = setInterval(() => {
  if (profile.values("iteration").length >= steps) stop.abort("the bench");
}, 50);
const loadBefore = loadavg()[0] as number;
try {
  await train(
    { ...DEFAULT_TRAIN_CONFIG, dataset: "mnist", workers, maxSteps: steps + 5, out },
    { profile, log: () => {}, stopSignal: stop.signal },
  );
} finally {
  clearInterval(watch);
  rmSync(out, { recursive: true, force: true });
}
const loadAfter = loadavg()[0] as number;

const medians = profile.medians(skip);
const fmt = (ms: number | undefined) => (ms === undefined ? "" : ms.toFixed(2));
const looped = [...LOOP_PARTS, ...NESTED_PARTS].reduce(
  (sum, part) => sum + (medians[part] ?? 0),
  0,
);
console.log(
  `train loop, MNIST, DCGAN, batch 64, ${workers} workers: ${steps} steps, first ${skip} not counted; ` +
    `load ${loadBefore.toFixed(1)} -> ${loadAfter.toFixed(1)}`,
);
console.log("| part | median ms per iteration |");
console.log("| --- | ---: |");
for (const part of [...LOOP_PARTS, ...NESTED_PARTS]) {
  if (medians[part] !== undefined) console.log(`| ${part} | ${fmt(medians[part])} |`);
}
console.log(`| **iteration (median of the wall time)** | **${fmt(medians.iteration)}** |`);
console.log(`| sum of the parts' medians | ${fmt(looped)} |`);
for (const part of REPLICA_PARTS) {
  if (medians[part] !== undefined)
    console.log(`| (inside the step) ${part} | ${fmt(medians[part])} |`);
}
if (jsonOut) {
  const iterations = profile.values("iteration").slice(skip);
  writeFileSync(
    jsonOut,
    JSON.stringify({ steps, skip, workers, loadBefore, loadAfter, medians, iterations }),
  );
}
