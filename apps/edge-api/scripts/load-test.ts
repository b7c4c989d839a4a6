/**
 * Load test (`npm run test:load`): the real worker under `wrangler dev` on loopback, hammered by
 * autocannon, while workerd's resident memory is sampled every second.
 *
 * Phases (50 connections each):
 *   1. seeded   GET /sample?count=16&seed=<new every request>   for LOAD_SECONDS / 2 (rounded up)
 *   2. unseeded GET /sample?count=16                              for LOAD_SECONDS / 2 (rounded up)
 *   3. mixed: valid queries of every route and invalid ones (bad count/label/seed/format,
 *      repeats, unknown parameters and paths, percent junk, long values) for
 *      LOAD_SECONDS / 3 (at least 2 s).
 * Pass: 0 errors/timeouts, every valid request 200 with a well-formed body, every invalid one a
 * 4xx JSON `{"error": {"code", "message"}}`, and the memory of the workerd process that runs the
 * worker not growing (see checkMemory; wrangler's own proxy process is reported, not judged).
 *
 * `LOAD_SECONDS` (env) or `--seconds N` sets the length (default 30); `--connections N` (50).
 * Prints a summary, writes bench-results/load-<timestamp>.json (git-ignored), exits 1 on failure.
 * test/load.node.test.ts runs the short version (5 s) through `runLoadTest`.
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import autocannon from "autocannon";
import {
  APP_DIR,
  findWorkerd,
  residentBytes,
  startWranglerDev,
  type WorkerdProcess,
} from "./wrangler-dev.ts";

const MiB = 2 ** 20;

/** Options of one load test run. */
export interface LoadOptions {
  /** Length of the /sample?count=16 load (seeded half, unseeded half), seconds. */
  seconds: number;
  /** Length of the mixed phase, seconds (default: seconds / 3, at least 2). */
  mixedSeconds?: number;
  /** Concurrent connections (default 50). */
  connections?: number;
  /** Progress lines (default console.log). */
  log?: (line: string) => void;
}

/** Throughput and latency of one phase (latency in ms, from autocannon's histograms). */
export interface PhaseReport {
  name: string;
  seconds: number;
  requests: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  max: number;
  /** Connection errors and timeouts (autocannon's `errors`, which include timeouts). */
  errors: number;
  timeouts: number;
  statusCounts: Record<string, number>;
  /**
   * After the phase, how long a count=1 request took to come back: requests still queued in the
   * worker when autocannon stopped (their clients gone) finish first, so the next phase starts clean.
   */
  drainMs: number;
  /** Responses that broke the phase's rule (wrong status or malformed body). */
  bad: number;
  badExamples: string[];
}

/** One workerd process's resident memory (VmRSS) over the run. */
export interface ProcessMemory extends WorkerdProcess {
  /** After `wrangler dev` answered, before the model was loaded. */
  bootBytes: number;
  /** After warm-up (session created, largest batch run): the baseline. */
  warmStartBytes: number;
  peakBytes: number;
  /** Right after the last phase. */
  endBytes: number;
  /** One sample per second during the load. */
  samples: MemorySample[];
  /** Which rules were applied and whether they held (gating only for the "worker" process). */
  checks: { rule: string; ok: boolean; detail: string }[];
  ok: boolean;
}

/** Everything a run measured, and its verdict. */
export interface LoadReport {
  date: string;
  connections: number;
  phases: PhaseReport[];
  /** The "worker" process first (it runs the model), then the proxy. */
  memory: ProcessMemory[];
  failures: string[];
  ok: boolean;
}

/** A request of the mixed phase and what it must get. */
interface MixedCase {
  method?: "GET" | "HEAD";
  path: string;
  expect: "ok" | "client-error";
}

const MIXED: MixedCase[] = [
  { path: "/sample?count=4&seed=11", expect: "ok" },
  { path: "/sample?count=0", expect: "client-error" },
  { path: "/sample?count=1&label=3&seed=7&format=png", expect: "ok" },
  { path: "/sample?count=1e9", expect: "client-error" },
  { path: "/healthz", expect: "ok" },
  { path: "/sample?seed=-0", expect: "client-error" },
  { path: "/sample?count=16&label=9", expect: "ok" },
  { path: "/sample?label=NaN", expect: "client-error" },
  { path: "/model", expect: "ok" },
  { path: "/sample?count=1&count=2", expect: "client-error" },
  { path: "/openapi.json", expect: "ok" },
  { path: "/sample?cuont=4", expect: "client-error" },
  { path: "/", expect: "ok" },
  { path: "/sample?format=gif", expect: "client-error" },
  { path: "/sample?count=64&seed=3&format=png", expect: "ok" },
  { path: `/sample?seed=${"9".repeat(2000)}`, expect: "client-error" },
  { path: "/gallery.js", expect: "ok" },
  { path: "/sample?count=%ff%00&label=%E2%82%AC", expect: "client-error" },
  { path: "/generator.onnx", expect: "client-error" },
  // Wrong methods (POST/DELETE -> 405) are not sent here: under this saturation wrangler dev's
  // own proxy answered some of them 503 and then wrangler exited (docs/robustness.md). The
  // 405s are covered in workerd by bad-input.test.ts and hostile-input.test.ts.
  { path: "/sample?count=65", expect: "client-error" },
];

/** Why a mixed-phase response breaks its case's rule, or null when it is right. */
function judgeMixed(c: MixedCase, status: number, body: string): string | null {
  if (c.expect === "ok") {
    return status === 200 ? null : `expected 200, got ${status}: ${body.slice(0, 120)}`;
  }
  if (status < 400 || status >= 500) return `expected a 4xx, got ${status}: ${body.slice(0, 120)}`;
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown; message?: unknown } };
    if (typeof parsed.error?.code !== "string" || typeof parsed.error?.message !== "string") {
      return `4xx body is not {"error":{"code","message"}}: ${body.slice(0, 80)}`;
    }
  } catch {
    return `4xx body is not JSON: ${body.slice(0, 80)}`;
  }
  return null;
}

/** Why a count=16 JSON /sample response is malformed, or null when it is right. */
function judgeSample(status: number, body: string): string | null {
  if (status !== 200) return `expected 200, got ${status}: ${body.slice(0, 80)}`;
  const images = body.split('"data:image/png;base64,').length - 1;
  return images === 16 ? null : `expected 16 PNG data URLs, found ${images}`;
}

function phaseReport(
  name: string,
  result: autocannon.Result,
  drainMs: number,
  bad: number,
  badExamples: string[],
): PhaseReport {
  const statusCounts: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) {
    statusCounts[code] = stat.count ?? 0;
  }
  const requests = Object.values(statusCounts).reduce((a, b) => a + b, 0);
  return {
    name,
    seconds: result.duration,
    requests,
    requestsPerSecond: Math.round((requests / result.duration) * 10) / 10,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCounts,
    drainMs,
    bad,
    badExamples,
  };
}

/** An RSS sample: seconds since warm start, resident bytes, requests answered so far. */
export interface MemorySample {
  t: number;
  bytes: number;
  requests: number;
}

/** Largest growth per answered request tolerated in the second half of a long run (rule 2). */
export const MAX_BYTES_PER_REQUEST = 8 * 1024;

/**
 * Memory rules for the worker's workerd process, on the RSS samples taken during the load:
 * 1. always: end <= warmStart * 1.5 + 32 MiB (a gross leak fails even a short run);
 * 2. when the load lasted >= 20 s: over the second half of the load, RSS growth per answered
 *    request <= MAX_BYTES_PER_REQUEST (8 KiB). Anything a request could leak is larger: one
 *    count=16 JSON body is ~25 kB, the generator's output for it 50 kB. What is left is V8
 *    sizing its heap, which was measured at 2-6 kB per request and slowing (docs/robustness.md).
 *    The first half is excluded: heaps grow fastest while they find their size.
 */
export function checkMemory(
  warmStartBytes: number,
  endBytes: number,
  samples: MemorySample[],
): { rule: string; ok: boolean; detail: string }[] {
  const checks = [];
  const bound = warmStartBytes * 1.5 + 32 * MiB;
  checks.push({
    rule: "end <= warm start * 1.5 + 32 MiB",
    ok: endBytes <= bound,
    detail: `end ${(endBytes / MiB).toFixed(1)} MiB, bound ${(bound / MiB).toFixed(1)} MiB`,
  });
  const last = samples[samples.length - 1];
  if (last && last.t >= 20) {
    const mid = samples.find((sample) => sample.t >= last.t / 2) as MemorySample;
    const requests = last.requests - mid.requests;
    const perRequest = requests > 0 ? (last.bytes - mid.bytes) / requests : 0;
    checks.push({
      rule: `growth per request in the second half <= ${MAX_BYTES_PER_REQUEST / 1024} KiB`,
      ok: perRequest <= MAX_BYTES_PER_REQUEST,
      detail: `${(mid.bytes / MiB).toFixed(1)} -> ${(last.bytes / MiB).toFixed(1)} MiB over ${requests} requests = ${(perRequest / 1024).toFixed(2)} KiB/request`,
    });
  }
  return checks;
}

async function get(url: string): Promise<number> {
  const res = await fetch(url);
  await res.arrayBuffer();
  return res.status;
}

/**
 * Run the whole load test against a fresh `wrangler dev` (started and stopped here).
 * @returns the report; `ok` false with `failures` saying why when a rule broke.
 * @throws Error when wrangler dev cannot start or workerd cannot be found.
 */
export async function runLoadTest(options: LoadOptions): Promise<LoadReport> {
  const log = options.log ?? ((line: string) => console.log(line));
  const connections = options.connections ?? 50;
  // autocannon counts whole seconds
  const half = Math.max(1, Math.ceil(options.seconds / 2));
  const mixedSeconds = options.mixedSeconds ?? Math.max(2, Math.round(options.seconds / 3));
  const failures: string[] = [];

  // the bench environment: the same worker without a practical rate limit
  const dev = await startWranglerDev({ args: ["--env", "bench"] });
  try {
    const processes = findWorkerd(dev.child.pid as number, dev.port).sort((a, b) =>
      a.role === b.role ? a.pid - b.pid : a.role === "worker" ? -1 : 1,
    );
    if (!processes.some((p) => p.role === "worker")) {
      throw new Error(
        `no workerd runtime process found under wrangler dev (found ${JSON.stringify(processes)})`,
      );
    }
    const rss = () => processes.map((p) => residentBytes(p.pid) ?? 0);
    const bootBytes = rss();
    log(
      `wrangler dev on ${dev.base}; ${processes.map((p, i) => `workerd ${p.role} pid ${p.pid} RSS ${mib(bootBytes[i])}`).join(", ")}`,
    );

    // warm-up: create the session, run the largest batch (wasm memory only grows), settle
    const warmStatuses = [await get(`${dev.base}/healthz`)];
    for (const format of ["json", "png"]) {
      warmStatuses.push(await get(`${dev.base}/sample?count=64&seed=1&format=${format}`));
    }
    for (let i = 0; i < 10; i++)
      warmStatuses.push(await get(`${dev.base}/sample?count=16&seed=${i}`));
    if (warmStatuses.some((s) => s !== 200)) {
      throw new Error(`warm-up requests failed: statuses ${warmStatuses.join(",")}\n${dev.log()}`);
    }
    const warmStartBytes = rss();
    const warmAt = performance.now();
    let answered = 0; // responses of all phases, for growth per request
    const samples: { t: number; bytes: number[]; requests: number }[] = [];
    const sampler = setInterval(() => {
      samples.push({
        t: Math.round((performance.now() - warmAt) / 100) / 10,
        bytes: rss(),
        requests: answered,
      });
    }, 1000);
    /** Wait until the worker's run queue is empty (a count=1 request comes back), in ms. */
    const drain = async () => {
      const started = performance.now();
      const status = await get(`${dev.base}/sample?count=1&seed=0`);
      if (status !== 200) failures.push(`drain request after a phase answered ${status}`);
      return Math.round(performance.now() - started);
    };

    const phases: PhaseReport[] = [];
    try {
      for (const seeded of [true, false]) {
        let seed = 1000;
        let bad = 0;
        const badExamples: string[] = [];
        const result = await autocannon({
          url: dev.base,
          connections,
          duration: half,
          timeout: 30,
          requests: [
            {
              method: "GET",
              path: "/sample?count=16",
              setupRequest: (request) => ({
                ...request,
                path: seeded ? `/sample?count=16&seed=${seed++}` : "/sample?count=16",
              }),
              onResponse: (status, body) => {
                answered++;
                const why = judgeSample(status, body);
                if (why === null) return;
                bad++;
                if (badExamples.length < 5) badExamples.push(why);
              },
            },
          ],
        });
        const name = seeded ? "count=16 seeded" : "count=16 unseeded";
        const phase = phaseReport(name, result, await drain(), bad, badExamples);
        phases.push(phase);
        log(formatPhase(phase));
      }

      let bad = 0;
      let next = 0;
      const hits = new Map<MixedCase, number>();
      const badExamples: string[] = [];
      const mixed = await autocannon({
        url: dev.base,
        connections,
        duration: mixedSeconds,
        timeout: 30,
        // One dynamic request: each send takes the next case of MIXED round-robin over all
        // connections (a static list would restart at case 0 on every connection), and
        // remembers it in the connection's context; with pipelining 1, the response that
        // arrives next belongs to it.
        requests: [
          {
            method: "GET",
            path: "/",
            setupRequest: (request, context) => {
              const c = MIXED[next++ % MIXED.length] as MixedCase;
              (context as { case?: MixedCase }).case = c;
              return { ...request, method: c.method ?? "GET", path: c.path };
            },
            onResponse: (status, body, context) => {
              answered++;
              const c = (context as { case?: MixedCase }).case as MixedCase;
              hits.set(c, (hits.get(c) ?? 0) + 1);
              const why = judgeMixed(c, status, body);
              if (why === null) return;
              bad++;
              if (badExamples.length < 5)
                badExamples.push(`${c.method ?? "GET"} ${c.path.slice(0, 60)}: ${why}`);
            },
          },
        ],
      });
      const missed = MIXED.filter((c) => !hits.has(c)).length;
      if (missed > 0)
        failures.push(`mixed phase: ${missed} of ${MIXED.length} cases got no answer`);
      const phase = phaseReport("mixed valid/invalid", mixed, await drain(), bad, badExamples);
      phases.push(phase);
      log(formatPhase(phase));
    } finally {
      clearInterval(sampler);
    }

    const endBytes = rss();
    const memory: ProcessMemory[] = processes.map((p, i) => {
      const own = samples.map((s) => ({ t: s.t, bytes: s.bytes[i] ?? 0, requests: s.requests }));
      const warm = warmStartBytes[i] ?? 0;
      const end = endBytes[i] ?? 0;
      const checks = checkMemory(warm, end, own);
      return {
        ...p,
        bootBytes: bootBytes[i] ?? 0,
        warmStartBytes: warm,
        peakBytes: Math.max(warm, end, ...own.map((s) => s.bytes)),
        endBytes: end,
        samples: own,
        checks,
        ok: checks.every((c) => c.ok),
      };
    });
    for (const m of memory) {
      log(
        `workerd ${m.role} RSS: boot ${mib(m.bootBytes)}, warm start ${mib(m.warmStartBytes)}, ` +
          `peak ${mib(m.peakBytes)}, end ${mib(m.endBytes)}`,
      );
      const mark = (ok: boolean) => (ok ? "ok  " : m.role === "worker" ? "FAIL" : "over");
      for (const c of m.checks) log(`  ${mark(c.ok)} ${c.rule}: ${c.detail}`);
    }

    for (const p of phases) {
      if (p.errors > 0)
        failures.push(`${p.name}: ${p.errors} connection errors (${p.timeouts} timeouts)`);
      if (p.bad > 0)
        failures.push(`${p.name}: ${p.bad} wrong responses, e.g. ${p.badExamples.join("; ")}`);
      if (p.requests === 0) failures.push(`${p.name}: no request completed`);
    }
    // Only the process that runs this worker is judged. wrangler dev's proxy (which does not
    // exist when deployed) is reported: it was measured growing ~10 kB per request.
    for (const m of memory.filter((p) => p.role === "worker")) {
      for (const c of m.checks)
        if (!c.ok) failures.push(`memory of workerd ${m.role}: ${c.rule} broke (${c.detail})`);
    }
    return {
      date: new Date().toISOString(),
      connections,
      phases,
      memory,
      failures,
      ok: failures.length === 0,
    };
  } catch (error) {
    const alive =
      dev.child.exitCode === null ? "still running" : `exited with ${dev.child.exitCode}`;
    throw new Error(
      `${(error as Error).message} (wrangler dev ${alive}); its last output:\n${dev.log()}`,
      { cause: error },
    );
  } finally {
    await dev.stop();
  }
}

function mib(bytes: number | undefined): string {
  return `${((bytes ?? 0) / MiB).toFixed(1)} MiB`;
}

function formatPhase(p: PhaseReport): string {
  return (
    `${p.name.padEnd(20)} ${String(p.requests).padStart(6)} req in ${p.seconds.toFixed(1)} s = ${p.requestsPerSecond} req/s, ` +
    `p50 ${p.p50} ms, p99 ${p.p99} ms, max ${p.max} ms, errors ${p.errors}, wrong ${p.bad}, statuses ${JSON.stringify(p.statusCounts)}, drain ${p.drainMs} ms`
  );
}

function secondsOption(): number {
  const i = process.argv.indexOf("--seconds");
  const text = i >= 0 ? process.argv[i + 1] : process.env.LOAD_SECONDS;
  if (text === undefined || text === "") return 30;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 2 || value > 600) {
    throw new Error(`LOAD_SECONDS / --seconds must be a number from 2 to 600, got "${text}"`);
  }
  return value;
}

function connectionsOption(): number {
  const i = process.argv.indexOf("--connections");
  if (i < 0) return 50;
  const value = Number(process.argv[i + 1]);
  if (!Number.isInteger(value) || value < 1 || value > 1000) {
    throw new Error(
      `--connections must be an integer from 1 to 1000, got "${process.argv[i + 1]}"`,
    );
  }
  return value;
}

async function main(): Promise<number> {
  const seconds = secondsOption();
  const connections = connectionsOption();
  console.log(
    `load test: ${connections} connections, ${seconds} s of count=16, then the mixed phase`,
  );
  const report = await runLoadTest({ seconds, connections });
  const outDir = join(APP_DIR, "bench-results");
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `load-${report.date.replace(/[:.]/g, "-")}.json`);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(report, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
  console.log(`wrote ${file}`);
  if (report.ok) {
    console.log("PASS");
    return 0;
  }
  for (const failure of report.failures) console.error(`FAIL ${failure}`);
  return 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
