/**
 * Benchmark of the marketing outputs (`npm run bench:marketing`, not a test), in bare workerd
 * (the deploy bundle in the preview harness, `--env bench`), against their budgets:
 *
 *   labels of 8 at scale=8&resample=bicubic png   p50 <= 25 ms
 *   count=16&format=svg                           p50 <= 15 ms, <= 3 KB per digit
 *   /animate of 16 frames at scale=4              p50 <= 60 ms, <= 50 ms CPU per request
 *
 * beside count=16 png (today's baseline) and the worst requests the pixel budget allows
 * (64 tiles or frames at scale 8, bicubic, RGBA). The cases are interleaved request by request
 * (each request a new seed, so nothing comes from the cache) so machine noise hits all alike.
 * Wall time is measured by the client; CPU time per request is workerd's own (utime + stime from
 * /proc/PID/stat) over a run of the case alone, divided by its requests: it includes the HTTP
 * handling, an upper bound of what Workers bills. Resident memory of workerd is sampled after
 * each case's CPU run. Flags: --requests N (default 60). Writes
 * bench-results/marketing-<timestamp>.json (git-ignored).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { startPreview } from "../scripts/workerd-preview.ts";
import { APP_DIR, residentBytes } from "../scripts/wrangler-dev.ts";
import { type Stats, stats } from "./timing.ts";

const requestsFlag = process.argv.indexOf("--requests");
const REQUESTS = requestsFlag >= 0 ? Number(process.argv[requestsFlag + 1]) : 60;
if (!Number.isInteger(REQUESTS) || REQUESTS < 5)
  throw new Error("--requests must be an integer >= 5");

interface Case {
  name: string;
  /** SEED is replaced by a new seed per request. */
  path: string;
  budget?: { p50Ms?: number; cpuMs?: number; bytesPerImage?: number };
  /** Images per request, for bytes per image. */
  images: number;
}

const CASES: Case[] = [
  { name: "count=16 png (baseline)", path: "/sample?count=16&seed=SEED&format=png", images: 16 },
  {
    name: "labels of 8, scale=8 bicubic png",
    path: "/sample?labels=2,0,2,6,1,2,3,1&seed=SEED&format=png&scale=8&resample=bicubic",
    images: 8,
    budget: { p50Ms: 25 },
  },
  {
    name: "count=16 svg",
    path: "/sample?count=16&seed=SEED&format=svg",
    images: 16,
    budget: { p50Ms: 15, bytesPerImage: 3000 },
  },
  {
    name: "animate 16 frames, scale=4",
    path: "/animate?seed=SEED&frames=16&scale=4",
    images: 16,
    budget: { p50Ms: 60, cpuMs: 50 },
  },
  {
    name: "worst sheet: count=64 scale=8 bicubic RGBA png",
    path: "/sample?count=64&seed=SEED&format=png&scale=8&resample=bicubic&fg=ff6600&bg=transparent",
    images: 64,
  },
  {
    name: "worst JSON: count=64 scale=8 bicubic RGBA",
    path: "/sample?count=64&seed=SEED&scale=8&resample=bicubic&fg=ff6600&bg=transparent",
    images: 64,
  },
  {
    name: "worst animation: 64 frames scale=8 bicubic RGBA",
    path: "/animate?seed=SEED&frames=64&scale=8&resample=bicubic&fg=ff6600&bg=transparent",
    images: 64,
  },
];

/** workerd's CPU seconds so far (user + system, from /proc). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  // fields after "(comm) ": state is [0], utime [11], stime [12], in clock ticks (100 per second)
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function get(url: string): Promise<{ ms: number; bytes: number }> {
  const started = performance.now();
  const res = await fetch(url);
  const body = await res.arrayBuffer();
  const ms = performance.now() - started;
  if (res.status !== 200)
    throw new Error(`${url} answered ${res.status}: ${new TextDecoder().decode(body)}`);
  return { ms, bytes: body.byteLength };
}

let nextSeed = (Date.now() % 1_000_000) * 1000;

async function main(): Promise<void> {
  const loadBefore = loadavg();
  const preview = await startPreview({ env: "bench" });
  const pid = preview.child.pid as number;
  const url = (c: Case) => `${preview.base}${c.path.replace("SEED", String(nextSeed++))}`;
  try {
    for (const c of CASES) for (let i = 0; i < 3; i++) await get(url(c)); // warm up every path
    const wall = new Map<string, number[]>(CASES.map((c) => [c.name, []]));
    const size = new Map<string, number[]>(CASES.map((c) => [c.name, []]));
    for (let i = 0; i < REQUESTS; i++) {
      for (const c of CASES) {
        const { ms, bytes } = await get(url(c));
        wall.get(c.name)?.push(ms);
        size.get(c.name)?.push(bytes);
      }
    }
    const cpu = new Map<string, number>();
    const rss = new Map<string, number>();
    let peakRss = residentBytes(pid) ?? 0;
    for (const c of CASES) {
      const before = cpuSeconds(pid);
      const n = Math.max(5, Math.round(REQUESTS / 3));
      for (let i = 0; i < n; i++) await get(url(c));
      cpu.set(c.name, ((cpuSeconds(pid) - before) * 1000) / n);
      const resident = residentBytes(pid) ?? 0;
      rss.set(c.name, resident);
      peakRss = Math.max(peakRss, resident);
    }
    const rows: Record<
      string,
      {
        wall: Stats;
        cpuMsPerRequest: number;
        bytes: number;
        bytesPerImage: number;
        rssMiB: number;
        budget?: Case["budget"];
      }
    > = {};
    console.log(
      `\nbare workerd (deploy bundle, --env bench), ${REQUESTS} requests per case, interleaved`,
    );
    console.log(
      "| case | p50 ms | p99 ms | CPU ms/request | bytes (median) | bytes per image | workerd RSS MiB | budget |",
    );
    console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
    for (const c of CASES) {
      const w = stats(wall.get(c.name) ?? []);
      const bytes = stats(size.get(c.name) ?? []).p50;
      const row = {
        wall: w,
        cpuMsPerRequest: Math.round((cpu.get(c.name) ?? 0) * 10) / 10,
        bytes,
        bytesPerImage: Math.round(bytes / c.images),
        rssMiB: Math.round((rss.get(c.name) ?? 0) / 2 ** 20),
        ...(c.budget && { budget: c.budget }),
      };
      rows[c.name] = row;
      const budget = c.budget
        ? Object.entries(c.budget)
            .map(([k, v]) => `${k} <= ${v}`)
            .join(", ")
        : "";
      console.log(
        `| ${c.name} | ${w.p50} | ${w.p99} | ${row.cpuMsPerRequest} | ${bytes} | ${row.bytesPerImage} | ${row.rssMiB} | ${budget} |`,
      );
    }
    const loadAfter = loadavg();
    console.log(
      `workerd peak RSS ${Math.round(peakRss / 2 ** 20)} MiB; load average before ${loadBefore.map((x) => x.toFixed(2)).join(" ")}, after ${loadAfter.map((x) => x.toFixed(2)).join(" ")}`,
    );
    const dir = join(APP_DIR, "bench-results");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `marketing-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
    writeFileSync(
      `${file}.tmp`,
      `${JSON.stringify({ requests: REQUESTS, loadBefore, loadAfter, peakRssBytes: peakRss, rows }, null, 2)}\n`,
    );
    renameSync(`${file}.tmp`, file);
    console.log(`wrote ${file}`);
  } finally {
    await preview.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
