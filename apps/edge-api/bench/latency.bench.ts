/**
 * Latency benchmark (`npm run bench`, not a test). Two runtimes serve the same worker, built for
 * `--env bench` (no practical rate limit, LOCAL_TIMINGS on):
 *
 * - bare workerd: the deploy bundle (`wrangler deploy --dry-run`) in the workerd binary wrangler
 *   ships, the preview harness (scripts/workerd-preview.ts): how a deploy runs it. The headline.
 * - wrangler dev: the same worker behind wrangler's local proxy (what `npm start` runs).
 *
 * Measured in one run, interleaved request by request (bare, wrangler, bare, ...) so that machine
 * noise hits both alike: each new process's cold first request; warm p50/p99 of /healthz and of
 * count=1, 16, 64 png (and count=16 json, and the marketing outputs: a sequence of 8 at scale 8
 * bicubic, count=16 svg, a 16-frame /animate at scale 4), each request with a new seed; and, between the same
 * requests, onnxruntime-web's bare `session.run` in this Node process (wasm, one thread, as in
 * Workers) of the served model and of the reference model, the full-width generator
 * `mnist-full` (117 M MAC per 16 images). Target: bare workerd count=16 png p50 <= 0.6x the
 * reference run. Also: where bare workerd's time goes (Server-Timing phases against /healthz,
 * the HTTP floor; and the local-only timing build bench/phase-probe.worker.ts, which loops each
 * phase inside workerd for sub-ms means, against the same phases in Node), what caching saves,
 * each model's cold start, and each runtime's resident memory with every model warm; the
 * machine's load average before and after.
 *
 * Flags: --requests N (default 300 per case and runtime), --reference DIR (default
 * apps/edge-api/models/mnist-full). Writes bench-results/latency-<timestamp>.json (git-ignored).
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readModelFolder } from "@edgegan/model/read-model-folder";
import { LATENT_SIZE, NUM_CLASSES, ONNX_IO } from "@edgegan/shared";
import { buildGeneratorInputs, planSample } from "@edgegan/shared/sample-plan";
import { parseSampleQuery } from "@edgegan/shared/sample-query";
import { startPreview } from "../scripts/workerd-preview.ts";
import {
  APP_DIR as appDir,
  findWorkerd,
  residentBytes,
  startWranglerDev,
} from "../scripts/wrangler-dev.ts";
import { renderSamplePng } from "../src/sample-render.ts";
import { feedsFor, type Stats, stats } from "./timing.ts";

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`--${name} must be a positive integer, got ${process.argv[i + 1]}`);
  }
  return value;
}

/** A timed GET: milliseconds, and the Server-Timing phases the worker reported. */
async function timedGet(
  url: string,
  init: RequestInit = {},
  status = 200,
): Promise<{ ms: number; phases: Record<string, number> }> {
  const started = performance.now();
  const res = await fetch(url, init);
  const body = await res.arrayBuffer();
  const ms = performance.now() - started;
  if (res.status !== status) {
    const text = new TextDecoder().decode(body.slice(0, 500));
    throw new Error(`${url} answered ${res.status}, expected ${status}: ${text}`);
  }
  const phases: Record<string, number> = {};
  for (const part of (res.headers.get("Server-Timing") ?? "").split(",")) {
    const match = /^\s*([\w-]+);dur=([\d.]+)/.exec(part);
    if (match) phases[match[1] as string] = Number(match[2]);
  }
  return { ms, phases };
}

/** Seeds no earlier run used (wrangler dev keeps Cache API entries between runs). */
const seedBase = (Date.now() % 1_000_000) * 1000;

interface Case {
  name: string;
  /** Path and query; SEED is replaced by a new seed per request. */
  path: string;
  /** Batch size of the bare ORT runs timed beside it (none for /healthz). */
  count?: number;
}

const CASES: Case[] = [
  { name: "/healthz", path: "/healthz" },
  { name: "count=1 png", path: "/sample?count=1&seed=SEED&format=png", count: 1 },
  { name: "count=16 png", path: "/sample?count=16&seed=SEED&format=png", count: 16 },
  { name: "count=64 png", path: "/sample?count=64&seed=SEED&format=png", count: 64 },
  { name: "count=16 json", path: "/sample?count=16&seed=SEED&format=json" },
  // the marketing outputs at their budgets' sizes (more in bench/marketing.bench.ts)
  {
    name: "labels=8 scale=8 bicubic png",
    path: "/sample?labels=2,0,2,6,1,2,3,1&seed=SEED&format=png&scale=8&resample=bicubic",
    count: 8,
  },
  { name: "count=16 svg", path: "/sample?count=16&seed=SEED&format=svg", count: 16 },
  { name: "animate 16 frames scale=4", path: "/animate?seed=SEED&frames=16&scale=4", count: 16 },
];

type Ort = typeof import("onnxruntime-web");

/** One bare `session.run` of a batch, timed. */
async function timedRun(
  ort: Ort,
  session: import("onnxruntime-web").InferenceSession,
  count: number,
  seed: number,
) {
  const { z, label } = feedsFor(count, seed);
  const feeds = {
    [ONNX_IO.latentInput]: new ort.Tensor("float32", z, [count, LATENT_SIZE]),
    [ONNX_IO.labelInput]: new ort.Tensor("float32", label, [count, NUM_CLASSES]),
  };
  const started = performance.now();
  await session.run(feeds);
  return performance.now() - started;
}

const mean = (xs: number[]) => Math.round((xs.reduce((s, x) => s + x, 0) / xs.length) * 100) / 100;
const load = () => loadavg().map((x) => Math.round(x * 100) / 100);

/** Every served model warm (its first request creates its session): cold ms per model. */
async function warmEveryModel(base: string): Promise<Record<string, number>> {
  const list = (await (await fetch(`${base}/models`)).json()) as {
    models: { name: string; status: string }[];
  };
  const cold: Record<string, number> = {};
  for (const model of list.models.filter((m) => m.status === "ok")) {
    const first = await timedGet(
      `${base}/sample?count=16&seed=${seedBase + 20_000}&format=png&model=${model.name}`,
    );
    cold[model.name] = Math.round(first.ms * 10) / 10;
    for (let i = 0; i < 20; i++) {
      await timedGet(
        `${base}/sample?count=16&seed=${seedBase + 21_000 + i}&format=png&model=${model.name}`,
      );
    }
  }
  return cold;
}

/** What caching saves in bare workerd: 304 and Cache API hit against the fresh answers. */
async function cachingFigures(base: string, n: number) {
  const fresh: number[] = [];
  const notModified: number[] = [];
  const hit: number[] = [];
  const miss: number[] = [];
  for (let i = 0; i < n; i++) {
    const url64 = `${base}/sample?count=64&seed=${seedBase + 5000 + i}&format=png`;
    const res = await fetch(url64);
    await res.arrayBuffer();
    const etag = res.headers.get("ETag") ?? "";
    notModified.push((await timedGet(url64, { headers: { "If-None-Match": etag } }, 304)).ms);
    const url16 = `${base}/sample?count=16&seed=${seedBase + 9000 + i}&format=png`;
    miss.push((await timedGet(url16)).ms);
    hit.push((await timedGet(url16)).ms);
    fresh.push(
      (await timedGet(`${base}/sample?count=64&seed=${seedBase + 7000 + i}&format=png`)).ms,
    );
  }
  return {
    count64Fresh200: stats(fresh),
    count64NotModified304: stats(notModified),
    count16PngMiss: stats(miss),
    count16PngCacheHit: stats(hit),
  };
}

/**
 * Where the time goes, with sub-ms means in both runtimes: the local-only timing build
 * (bench/phase-probe.worker.ts) runs the worker's own phases in a loop inside bare workerd, and
 * this process runs the same phases with onnxruntime-web in Node; rounds alternate between the
 * two (and between the served and the reference model) so that load hits all alike.
 * @returns per model, per runtime: the median over rounds of each phase's mean ms
 */
async function phaseFigures(
  probeBase: string,
  ort: Ort,
  sessions: Record<string, import("onnxruntime-web").InferenceSession>,
  rounds: number,
) {
  const perRound = 20;
  const parsed = parseSampleQuery(new URLSearchParams("count=16&seed=1&format=png"), {
    maxCount: 64,
  });
  if (!parsed.ok) throw new Error(parsed.error.message);
  const style = parsed.value; // the default drawing options of a plain format=png request
  const series: Record<string, Record<string, Record<string, number[]>>> = {};
  const record = (model: string, runtime: string, figures: Record<string, number>) => {
    for (const [phase, ms] of Object.entries(figures)) {
      series[model] ??= {};
      series[model][runtime] ??= {};
      series[model][runtime][phase] ??= [];
      series[model][runtime][phase].push(ms);
    }
  };
  const meanOver = async (phase: (i: number) => unknown) => {
    const started = performance.now();
    for (let i = 0; i < perRound; i++) await phase(i);
    return (performance.now() - started) / perRound;
  };
  for (let round = 0; round < rounds + 1; round++) {
    for (const [model, session] of Object.entries(sessions)) {
      const probed = (await (
        await fetch(`${probeBase}/?model=${model}&count=16&n=${perRound}`)
      ).json()) as { inputsMs: number; runMs: number; encodeMs: number };
      const workerd = { inputsMs: probed.inputsMs, runMs: probed.runMs, encodeMs: probed.encodeMs };
      const inputsAt = (i: number) =>
        buildGeneratorInputs(planSample({ count: 16, label: null, seed: 1000 + i }));
      const fixed = inputsAt(0);
      const feeds = {
        [ONNX_IO.latentInput]: new ort.Tensor("float32", fixed.z, [16, LATENT_SIZE]),
        [ONNX_IO.labelInput]: new ort.Tensor("float32", fixed.label, [16, NUM_CLASSES]),
      };
      const output = (await session.run(feeds))[ONNX_IO.imageOutput]?.data as Float32Array;
      const node = {
        inputsMs: await meanOver(inputsAt),
        runMs: await meanOver(() => session.run(feeds)),
        encodeMs: await meanOver(() => renderSamplePng(output, 16, style)),
      };
      if (round === 0) continue; // warm-up
      record(model, "workerd", workerd);
      record(model, "node", node);
    }
  }
  const median = (xs: number[]) => Math.round(stats(xs).p50 * 1000) / 1000;
  return Object.fromEntries(
    Object.entries(series).map(([model, byRuntime]) => [
      model,
      Object.fromEntries(
        Object.entries(byRuntime).map(([runtime, byPhase]) => [
          runtime,
          Object.fromEntries(Object.entries(byPhase).map(([p, xs]) => [p, median(xs)])),
        ]),
      ),
    ]),
  );
}

async function main(): Promise<void> {
  const requests = flag("requests", 300);
  const referenceIndex = process.argv.indexOf("--reference");
  const referenceDir =
    referenceIndex < 0
      ? join(appDir, "models", "mnist-full")
      : (process.argv[referenceIndex + 1] ?? "");
  const results: Record<string, unknown> = {
    requests,
    date: new Date().toISOString(),
    loadBefore: load(),
  };
  console.log(
    `load average before: ${load().join(", ")}; ${requests} requests per case and runtime`,
  );

  // bare onnxruntime-web in this process: the served model and the reference model
  const ort = await import("onnxruntime-web");
  ort.env.wasm.numThreads = 1;
  const sessionOf = async (dir: string) =>
    ort.InferenceSession.create((await readModelFolder(dir)).onnx, {
      graphOptimizationLevel: "all",
    });
  const served = await sessionOf(join(appDir, "models", "mnist"));
  const reference = await sessionOf(referenceDir);

  const bootStarted = performance.now();
  const bare = await startPreview({ env: "bench" });
  const bareBootMs = performance.now() - bootStarted;
  const wrangler = await startWranglerDev({ args: ["--env", "bench"] });
  try {
    // cold: the first /sample of a new process (isolate start, wasm compile, session creation)
    const cold = {
      bare: (await timedGet(`${bare.base}/sample?count=16&seed=${seedBase}&format=png`)).ms,
      wrangler: (await timedGet(`${wrangler.base}/sample?count=16&seed=${seedBase}&format=png`)).ms,
    };
    results.coldFirstRequestMs = cold;
    results.bareBootMs = Math.round(bareBootMs);
    console.log(
      `cold first count=16 png: bare workerd ${cold.bare.toFixed(1)} ms, wrangler dev ${cold.wrangler.toFixed(1)} ms (bare boot incl. the dry-run build: ${Math.round(bareBootMs)} ms)`,
    );

    const runtimes = { bare, wrangler } as const;
    /** case -> series (bare, wrangler, ortServed, ortReference) -> ms */
    const samples: Record<string, Record<string, number[]>> = {};
    /** case -> Server-Timing phase of bare workerd -> ms */
    const phases: Record<string, Record<string, number[]>> = {};
    const push = (into: typeof samples, name: string, series: string, ms: number) => {
      into[name] ??= {};
      const byCase = into[name];
      byCase[series] ??= [];
      byCase[series].push(ms);
    };
    for (const c of CASES) {
      // 20 warm-up rounds (the wasm runtime starts on baseline code), then measured rounds
      for (let i = 0; i < 20 + requests; i++) {
        const measured = i >= 20;
        const path = c.path.replace("SEED", String(seedBase + 1000 + i));
        for (const [name, runtime] of Object.entries(runtimes)) {
          const answer = await timedGet(`${runtime.base}${path}`).catch((error: Error) => {
            const log = (runtime as { log?: () => string }).log?.() ?? "";
            throw new Error(`${name}: ${error.message}\n${log.slice(-3000)}`);
          });
          if (!measured) continue;
          push(samples, c.name, name, answer.ms);
          if (name !== "bare") continue;
          for (const [phase, ms] of Object.entries(answer.phases)) push(phases, c.name, phase, ms);
        }
        if (c.count === undefined) continue;
        const servedMs = await timedRun(ort, served, c.count, i);
        const referenceMs = await timedRun(ort, reference, c.count, i);
        if (!measured) continue;
        push(samples, c.name, "ortServed", servedMs);
        push(samples, c.name, "ortReference", referenceMs);
      }
    }
    const table: Record<string, Record<string, Stats>> = {};
    for (const [name, byRuntime] of Object.entries(samples)) {
      table[name] = Object.fromEntries(Object.entries(byRuntime).map(([r, xs]) => [r, stats(xs)]));
    }
    results.warm = table;
    results.barePhasesMeanMs = Object.fromEntries(
      Object.entries(phases).map(([name, byPhase]) => [
        name,
        Object.fromEntries(Object.entries(byPhase).map(([p, xs]) => [p, mean(xs)])),
      ]),
    );
    results.bareClientMeanMs = Object.fromEntries(
      Object.entries(samples).map(([name, byRuntime]) => [name, mean(byRuntime.bare ?? [])]),
    );

    await bare.setCacheMode("store");
    results.caching = await cachingFigures(bare.base, Math.min(requests, 100));

    const probe = await startPreview({
      env: "bench",
      entry: fileURLToPath(new URL("./phase-probe.worker.ts", import.meta.url)),
    });
    try {
      results.phasesCount16 = await phaseFigures(
        probe.base,
        ort,
        { mnist: served, "mnist-full": reference },
        Math.max(5, Math.round(requests / 20)),
      );
    } finally {
      await probe.stop();
    }

    results.perModelColdMs = {
      bare: await warmEveryModel(bare.base),
      wrangler: await warmEveryModel(wrangler.base),
    };
    const wranglerWorker = findWorkerd(wrangler.child.pid ?? 0, wrangler.port).find(
      (p) => p.role === "worker",
    );
    results.residentMiBAllWarm = {
      bare: Math.round((residentBytes(bare.child.pid ?? 0) ?? 0) / 2 ** 20),
      wrangler: wranglerWorker
        ? Math.round((residentBytes(wranglerWorker.pid) ?? 0) / 2 ** 20)
        : null,
    };
  } finally {
    await Promise.all([bare.stop(), wrangler.stop()]);
    await Promise.all([served.release(), reference.release()]);
  }
  results.loadAfter = load();

  const table = results.warm as Record<string, Record<string, Stats>>;
  console.log(
    "\n| case | bare workerd p50 / p99 | wrangler dev p50 / p99 | ORT-web in Node, served model p50 | ORT-web in Node, mnist-full p50 |",
  );
  console.log("|---|---|---|---|---|");
  for (const c of CASES) {
    const row = table[c.name] ?? {};
    const cell = (s?: Stats) => (s ? `${s.p50} / ${s.p99} ms` : "-");
    console.log(
      `| ${c.name} | ${cell(row.bare)} | ${cell(row.wrangler)} | ${row.ortServed ? `${row.ortServed.p50} ms` : "-"} | ${row.ortReference ? `${row.ortReference.p50} ms` : "-"} |`,
    );
  }
  const png16 = table["count=16 png"];
  const ratio = (png16?.bare?.p50 ?? Number.NaN) / (png16?.ortReference?.p50 ?? Number.NaN);
  results.bare16OverReferenceRun = Math.round(ratio * 1000) / 1000;
  console.log(
    `\nheadline: bare workerd count=16 png p50 ${png16?.bare?.p50} ms / ORT-web mnist-full run in Node p50 ${png16?.ortReference?.p50} ms = ${ratio.toFixed(3)} (target <= 0.6)`,
  );
  console.log(`bare workerd phases (mean ms, Server-Timing):`, results.barePhasesMeanMs);
  console.log(`bare workerd client-side mean ms:`, results.bareClientMeanMs);
  console.log(`caching (bare):`, JSON.stringify(results.caching));
  console.log(
    `count=16 phases, median of round means (ms), workerd timing build vs Node:`,
    JSON.stringify(results.phasesCount16),
  );
  console.log(`per-model cold first request ms:`, JSON.stringify(results.perModelColdMs));
  console.log(`resident MiB with every model warm:`, JSON.stringify(results.residentMiBAllWarm));
  console.log(
    `load average before ${JSON.stringify(results.loadBefore)}, after ${JSON.stringify(results.loadAfter)}`,
  );

  const outDir = join(appDir, "bench-results");
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `latency-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(results, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
  console.log(`wrote ${file}`);
}

await main();
