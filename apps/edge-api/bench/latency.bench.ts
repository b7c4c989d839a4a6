/**
 * Latency benchmark (`npm run bench`, not a test): starts `wrangler dev` on loopback with the
 * shipped model, measures the cold first request, then warm p50/p99 over sequential requests
 * for count=16 (json, png), count=1 and count=64; in the same run, onnxruntime-node's native
 * `session.run` on the same batches as the floor (skipped when onnxruntime-node is absent),
 * and the bare onnxruntime-web (wasm, 1 thread) run in Node of the served model and of the
 * reference model (the full-width generator the lean one replaced), interleaved run by run so
 * that machine noise hits both alike. The headline ratio: worker count=16 png p50 over the bare
 * run of the reference model.
 *
 * Flags: --requests N (default 500), --port P (default: a free port), --reference DIR (default
 * apps/edge-api/models/mnist-full).
 * Writes bench-results/latency-<timestamp>.json (git-ignored) and prints a table.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import {
  APP_DIR as appDir,
  findWorkerd,
  residentBytes,
  startWranglerDev,
} from "../scripts/wrangler-dev.ts";
import { type Stats, sessionFloor, stats } from "./timing.ts";

const require = createRequire(import.meta.url);

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`--${name} must be a positive integer, got ${process.argv[i + 1]}`);
  }
  return value;
}

async function timedGet(url: string, init: RequestInit = {}, status = 200): Promise<number> {
  const started = performance.now();
  const res = await fetch(url, init);
  await res.arrayBuffer();
  const elapsed = performance.now() - started;
  if (res.status !== status) throw new Error(`${url} answered ${res.status}, expected ${status}`);
  return elapsed;
}

/**
 * Seeds no earlier run used: wrangler dev keeps its Cache API entries between runs, and a
 * cached answer would time the cache, not the model.
 */
const seedBase = (Date.now() % 1_000_000) * 1000;

interface Case {
  name: string;
  count: number;
  format: "json" | "png";
  /** Extra query, e.g. "&scale=8" (the marketing outputs: their encode cost). */
  extra?: string;
}

const CASES: Case[] = [
  { name: "count=16 png", count: 16, format: "png" },
  { name: "count=16 json", count: 16, format: "json" },
  { name: "count=1 png", count: 1, format: "png" },
  { name: "count=1 json", count: 1, format: "json" },
  { name: "count=64 png", count: 64, format: "png" },
  { name: "count=64 json", count: 64, format: "json" },
  { name: "count=16 png scale=8", count: 16, format: "png", extra: "&scale=8" },
  { name: "count=64 png scale=8", count: 64, format: "png", extra: "&scale=8" },
  { name: "count=64 json scale=8", count: 64, format: "json", extra: "&scale=8" },
];

/**
 * What caching saves, in one run: count=64 answered 304 (ETag known before inference) against
 * the same request's 200 (a new seed each time, so each one runs the model), and a Cache API
 * hit for count=16 png against its miss.
 */
async function cachingFigures(base: string, requests: number) {
  const n = Math.min(requests, 200);
  const fresh: number[] = [];
  const notModified: number[] = [];
  const miss: number[] = [];
  const hit: number[] = [];
  for (let i = 0; i < n; i++) {
    const url64 = `${base}/sample?count=64&seed=${seedBase + 5000 + i}&format=png`;
    const started = performance.now();
    const res = await fetch(url64);
    await res.arrayBuffer();
    fresh.push(performance.now() - started);
    const etag = res.headers.get("ETag") ?? "";
    notModified.push(await timedGet(url64, { headers: { "If-None-Match": etag } }, 304));
    const url16 = `${base}/sample?count=16&seed=${seedBase + 9000 + i}&format=png`;
    miss.push(await timedGet(url16));
    hit.push(await timedGet(url16));
  }
  const figures = {
    count64Fresh200: stats(fresh),
    count64NotModified304: stats(notModified),
    count16PngMiss: stats(miss),
    count16PngCacheHit: stats(hit),
  };
  const ratio = figures.count64NotModified304.p50 / figures.count64Fresh200.p50;
  console.log(
    `304 for count=64: p50 ${figures.count64NotModified304.p50} ms vs its 200 ${figures.count64Fresh200.p50} ms (${ratio.toFixed(3)}x; target <= 2 ms and <= 0.2x); ` +
      `Cache API hit count=16 png p50 ${figures.count16PngCacheHit.p50} ms vs miss ${figures.count16PngMiss.p50} ms (target <= 3 ms)`,
  );
  return { ...figures, notModifiedOverFresh: Math.round(ratio * 1000) / 1000 };
}

/**
 * Each served model's cold first request (its session is created then), its warm count=16 png
 * p50, and the worker process's resident memory once every model is warm.
 */
async function perModelFigures(base: string, dev: { child: { pid?: number }; port: number }) {
  const list = (await (await fetch(`${base}/models`)).json()) as {
    models: { name: string; status: string; onnx?: { bytes: number } }[];
  };
  const perModel: Record<string, { coldMs: number; warmPng16P50: number; bytes?: number }> = {};
  for (const model of list.models.filter((m) => m.status === "ok")) {
    const cold = await timedGet(
      `${base}/sample?count=16&seed=${seedBase + 20_000}&format=png&model=${model.name}`,
    );
    const warm: number[] = [];
    for (let i = 0; i < 50; i++) {
      warm.push(
        await timedGet(
          `${base}/sample?count=16&seed=${seedBase + 21_000 + i}&format=png&model=${model.name}`,
        ),
      );
    }
    perModel[model.name] = {
      coldMs: Math.round(cold * 10) / 10,
      warmPng16P50: stats(warm).p50,
      bytes: model.onnx?.bytes,
    };
    console.log(
      `model ${model.name}: cold first request ${cold.toFixed(1)} ms, warm count=16 png p50 ${stats(warm).p50} ms`,
    );
  }
  const worker = findWorkerd(dev.child.pid ?? 0, dev.port).find((p) => p.role === "worker");
  const rss = worker ? residentBytes(worker.pid) : null;
  console.log(
    `workerd (worker) resident memory with ${Object.keys(perModel).length} models warm: ${rss === null ? "n/a" : `${(rss / 2 ** 20).toFixed(1)} MiB`}`,
  );
  return { perModel, workerRssBytesAllWarm: rss };
}

/** The --reference DIR flag, or the default reference model folder. */
function referenceDir(): string {
  const i = process.argv.indexOf("--reference");
  return i < 0 ? join(appDir, "models", "mnist-full") : (process.argv[i + 1] ?? "");
}

async function main(): Promise<void> {
  const requests = flag("requests", 500);
  const port = process.argv.includes("--port") ? flag("port", 8787) : undefined;
  const manifest = JSON.parse(
    readFileSync(join(appDir, "models", "mnist", "model.json"), "utf8"),
  ) as {
    version: string;
  };
  const model = new Uint8Array(readFileSync(join(appDir, "models", "mnist", "generator.onnx")));
  console.log(
    `model ${manifest.version} (${model.byteLength} bytes); ${requests} requests per case`,
  );

  const results: Record<string, unknown> = {
    model: manifest.version,
    requests,
    date: new Date().toISOString(),
  };
  const bootStarted = performance.now();
  // the bench environment: the same worker without a practical rate limit
  const dev = await startWranglerDev({
    args: ["--env", "bench"],
    ...(port === undefined ? {} : { port }),
  });
  const base = dev.base;
  try {
    console.log(`wrangler dev ready in ${Math.round(performance.now() - bootStarted)} ms`);
    const cold = await timedGet(`${base}/sample?count=16&seed=${seedBase}&format=png`);
    const health = (await (await fetch(`${base}/healthz`)).json()) as { sessionLoadMs?: number };
    results.coldFirstRequestMs = Math.round(cold * 100) / 100;
    results.sessionLoadMs = health.sessionLoadMs;
    console.log(
      `cold first /sample?count=16&format=png: ${cold.toFixed(1)} ms (session creation ${health.sessionLoadMs} ms)`,
    );

    const warm: Record<string, Stats> = {};
    for (const c of CASES) {
      for (let i = 0; i < 20; i++)
        await timedGet(
          `${base}/sample?count=${c.count}&seed=${seedBase + 500 + i}&format=${c.format}${c.extra ?? ""}`,
        );
      const samples: number[] = [];
      for (let i = 0; i < requests; i++) {
        samples.push(
          await timedGet(
            `${base}/sample?count=${c.count}&seed=${seedBase + 1000 + i}&format=${c.format}${c.extra ?? ""}`,
          ),
        );
      }
      warm[c.name] = stats(samples);
      console.log(`${c.name.padEnd(14)} p50 ${warm[c.name]?.p50} ms  p99 ${warm[c.name]?.p99} ms`);
    }
    results.worker = warm;
    results.caching = await cachingFigures(base, requests);
    results.models = await perModelFigures(base, dev);
  } finally {
    await dev.stop();
  }

  try {
    const native = require("onnxruntime-node") as typeof import("onnxruntime-web");
    results.native = (await sessionFloor(native, { served: model }, requests)).served;
  } catch (error) {
    results.native = null;
    console.log(
      `native floor skipped: onnxruntime-node unavailable (${(error as Error).message.split("\n")[0]})`,
    );
  }
  const web = await import("onnxruntime-web");
  web.env.wasm.numThreads = 1;
  const reference = referenceDir();
  const referenceModel = new Uint8Array(readFileSync(join(reference, "generator.onnx")));
  const bare = await sessionFloor(web, { served: model, reference: referenceModel }, requests);
  results.wasmInNode = bare.served;
  results.referenceWasmInNode = {
    dir: reference,
    bytes: referenceModel.byteLength,
    ...bare.reference,
  };

  const worker = results.worker as Record<string, Stats>;
  const native = results.native as Record<string, Stats> | null;
  const wasm = bare.served as Record<string, Stats>;
  const wasmReference = bare.reference as Record<string, Stats>;
  console.log(
    "\n| case | worker p50 | worker p99 | native run p50 | native run p99 | ORT-web (Node) run p50 | reference model ORT-web run p50 |",
  );
  console.log("|---|---|---|---|---|---|---|");
  for (const c of CASES) {
    const w = worker[c.name] as Stats;
    const n = native?.[`batch ${c.count}`];
    const o = wasm[`batch ${c.count}`];
    console.log(
      `| ${c.name} | ${w.p50} ms | ${w.p99} ms | ${n ? `${n.p50} ms` : "n/a"} | ${n ? `${n.p99} ms` : "n/a"} | ${o?.p50} ms | ${wasmReference[`batch ${c.count}`]?.p50} ms |`,
    );
  }
  const png16 = worker["count=16 png"] as Stats;
  const reference16 = wasmReference["batch 16"] as Stats;
  const ratio = png16.p50 / reference16.p50;
  results.workerPng16OverReferenceRun = Math.round(ratio * 1000) / 1000;
  console.log(
    `\ntargets: count=16 png p50 ${png16.p50} ms (<= 10), p99 ${png16.p99} ms (<= 25); ` +
      `worker count=16 png p50 / bare ORT-web run of the reference model = ${png16.p50} / ${reference16.p50} = ${ratio.toFixed(2)} (<= 0.6); ` +
      `count=1 p50 ${(worker["count=1 png"] as Stats).p50} ms (<= 3); count=64 p50 ${(worker["count=64 png"] as Stats).p50} ms (<= 35); ` +
      `cold ${results.coldFirstRequestMs} ms (<= 250)`,
  );

  const outDir = join(appDir, "bench-results");
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `latency-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(results, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
  console.log(`wrote ${file}`);
}

await main();
