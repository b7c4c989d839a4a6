/**
 * Latency benchmark (`npm run bench`, not a test): starts `wrangler dev` on loopback with the
 * shipped model, measures the cold first request, then warm p50/p99 over sequential requests
 * for count=16 (json, png), count=1 and count=64; in the same run, onnxruntime-node's native
 * `session.run` on the same batches as the floor (skipped when onnxruntime-node is absent),
 * and onnxruntime-web (wasm, 1 thread) in Node as the same-engine reference.
 *
 * Flags: --requests N (default 500), --port P (default: a free port).
 * Writes bench-results/latency-<timestamp>.json (git-ignored) and prints a table.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { LATENT_SIZE, NUM_CLASSES, ONNX_IO } from "@edgegan/shared";
import { buildGeneratorInputs, planSample } from "@edgegan/shared/sample-plan";
import { APP_DIR as appDir, startWranglerDev } from "../scripts/wrangler-dev.ts";

const require = createRequire(import.meta.url);

interface Stats {
  n: number;
  p50: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
}

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    n: sorted.length,
    p50: round(at(0.5)),
    p99: round(at(0.99)),
    mean: round(sorted.reduce((s, x) => s + x, 0) / sorted.length),
    min: round(sorted[0] as number),
    max: round(sorted[sorted.length - 1] as number),
  };
}

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`--${name} must be a positive integer, got ${process.argv[i + 1]}`);
  }
  return value;
}

async function timedGet(url: string): Promise<number> {
  const started = performance.now();
  const res = await fetch(url);
  await res.arrayBuffer();
  const elapsed = performance.now() - started;
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
  return elapsed;
}

interface Case {
  name: string;
  count: number;
  format: "json" | "png";
}

const CASES: Case[] = [
  { name: "count=16 png", count: 16, format: "png" },
  { name: "count=16 json", count: 16, format: "json" },
  { name: "count=1 png", count: 1, format: "png" },
  { name: "count=1 json", count: 1, format: "json" },
  { name: "count=64 png", count: 64, format: "png" },
  { name: "count=64 json", count: 64, format: "json" },
];

function feedsFor(count: number, seed: number) {
  const inputs = buildGeneratorInputs(planSample({ count, seed }));
  return { z: inputs.z, label: inputs.label };
}

/** Time `session.run` of an onnxruntime flavour (node or web) on batches 1, 16, 64. */
async function sessionFloor(
  ort: typeof import("onnxruntime-web"),
  model: Uint8Array,
  runs: number,
): Promise<Record<string, Stats>> {
  const session = await ort.InferenceSession.create(model, { graphOptimizationLevel: "all" });
  const out: Record<string, Stats> = {};
  for (const count of [1, 16, 64]) {
    const samples: number[] = [];
    for (let i = 0; i < runs + 20; i++) {
      const { z, label } = feedsFor(count, i);
      const feeds = {
        [ONNX_IO.latentInput]: new ort.Tensor("float32", z, [count, LATENT_SIZE]),
        [ONNX_IO.labelInput]: new ort.Tensor("float32", label, [count, NUM_CLASSES]),
      };
      const started = performance.now();
      await session.run(feeds);
      if (i >= 20) samples.push(performance.now() - started);
    }
    out[`batch ${count}`] = stats(samples);
  }
  await session.release();
  return out;
}

async function main(): Promise<void> {
  const requests = flag("requests", 500);
  const port = process.argv.includes("--port") ? flag("port", 8787) : undefined;
  const manifest = JSON.parse(readFileSync(join(appDir, "model", "model.json"), "utf8")) as {
    version: string;
  };
  const model = new Uint8Array(readFileSync(join(appDir, "model", "generator.onnx")));
  console.log(
    `model ${manifest.version} (${model.byteLength} bytes); ${requests} requests per case`,
  );

  const results: Record<string, unknown> = {
    model: manifest.version,
    requests,
    date: new Date().toISOString(),
  };
  const bootStarted = performance.now();
  const dev = await startWranglerDev(port === undefined ? {} : { port });
  const base = dev.base;
  try {
    console.log(`wrangler dev ready in ${Math.round(performance.now() - bootStarted)} ms`);
    const cold = await timedGet(`${base}/sample?count=16&seed=1&format=png`);
    const health = (await (await fetch(`${base}/healthz`)).json()) as { sessionLoadMs?: number };
    results.coldFirstRequestMs = Math.round(cold * 100) / 100;
    results.sessionLoadMs = health.sessionLoadMs;
    console.log(
      `cold first /sample?count=16&format=png: ${cold.toFixed(1)} ms (session creation ${health.sessionLoadMs} ms)`,
    );

    const warm: Record<string, Stats> = {};
    for (const c of CASES) {
      for (let i = 0; i < 20; i++)
        await timedGet(`${base}/sample?count=${c.count}&seed=${1e6 + i}&format=${c.format}`);
      const samples: number[] = [];
      for (let i = 0; i < requests; i++) {
        samples.push(
          await timedGet(`${base}/sample?count=${c.count}&seed=${i}&format=${c.format}`),
        );
      }
      warm[c.name] = stats(samples);
      console.log(`${c.name.padEnd(14)} p50 ${warm[c.name]?.p50} ms  p99 ${warm[c.name]?.p99} ms`);
    }
    results.worker = warm;
  } finally {
    await dev.stop();
  }

  try {
    const native = require("onnxruntime-node") as typeof import("onnxruntime-web");
    results.native = await sessionFloor(native, model, requests);
  } catch (error) {
    results.native = null;
    console.log(
      `native floor skipped: onnxruntime-node unavailable (${(error as Error).message.split("\n")[0]})`,
    );
  }
  const web = await import("onnxruntime-web");
  web.env.wasm.numThreads = 1;
  results.wasmInNode = await sessionFloor(web, model, requests);

  const worker = results.worker as Record<string, Stats>;
  const native = results.native as Record<string, Stats> | null;
  const wasm = results.wasmInNode as Record<string, Stats>;
  console.log(
    "\n| case | worker p50 | worker p99 | native run p50 | native run p99 | ORT-web (Node) run p50 |",
  );
  console.log("|---|---|---|---|---|---|");
  for (const c of CASES) {
    const w = worker[c.name] as Stats;
    const n = native?.[`batch ${c.count}`];
    const o = wasm[`batch ${c.count}`];
    console.log(
      `| ${c.name} | ${w.p50} ms | ${w.p99} ms | ${n ? `${n.p50} ms` : "n/a"} | ${n ? `${n.p99} ms` : "n/a"} | ${o?.p50} ms |`,
    );
  }
  const png16 = worker["count=16 png"] as Stats;
  const native16 = native?.["batch 16"];
  console.log(
    `\ntargets (count=16 png): p50 ${png16.p50} ms (<= 15), p99 ${png16.p99} ms (<= 40)` +
      (native16 ? `, ${(png16.p50 / native16.p50).toFixed(2)}x native p50 (<= 2x)` : ""),
  );

  const outDir = join(appDir, "bench-results");
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `latency-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(results, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
  console.log(`wrote ${file}`);
}

await main();
