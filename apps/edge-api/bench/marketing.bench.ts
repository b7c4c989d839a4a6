/**
 * Benchmark of the marketing outputs (`npm run bench:marketing`, not a test), in bare workerd
 * (the deploy bundle in the preview harness, `--env bench`), against their budgets:
 *
 *   labels of 8 at scale=8&resample=bicubic png   p50 <= 25 ms
 *   count=16&format=svg                           p50 <= 15 ms, <= 3 KB per digit
 *   /animate of 16 frames at scale=4              p50 <= 60 ms, <= 50 ms CPU per request
 *
 * beside count=16 png (today's baseline) and the worst requests the pixel budget allows
 * (64 tiles or frames at scale 8, or 16 tiles at scale 16, bicubic, RGBA). The cases are
 * interleaved request by request (each request a new seed, so nothing comes from the cache) so
 * machine noise hits all alike.
 * Wall time is measured by the client; CPU time per request is workerd's own (utime + stime from
 * /proc/PID/stat) over a run of the case alone, divided by its requests: it includes the HTTP
 * handling, an upper bound of what Workers bills. Resident memory of workerd is sampled after
 * each case's CPU run. Flags: --requests N (default 60); --against DIR, another checkout of the
 * repository (e.g. a `git worktree` of an older commit, with its own `npm ci`): its build is
 * served beside this one and every request goes to both in turn, with the same seed, so a change
 * is measured old against new in one run (the ratio column). Writes
 * bench-results/marketing-<timestamp>.json (git-ignored).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { type Preview, startPreview } from "../scripts/workerd-preview.ts";
import { APP_DIR, residentBytes } from "../scripts/wrangler-dev.ts";
import { type Stats, stats } from "./timing.ts";

const requestsFlag = process.argv.indexOf("--requests");
const REQUESTS = requestsFlag >= 0 ? Number(process.argv[requestsFlag + 1]) : 60;
if (!Number.isInteger(REQUESTS) || REQUESTS < 5)
  throw new Error("--requests must be an integer >= 5");
const againstFlag = process.argv.indexOf("--against");
/** Another checkout of the repository (its own npm ci done) whose build runs beside this one. */
const AGAINST = againstFlag >= 0 ? (process.argv[againstFlag + 1] ?? null) : null;
if (againstFlag >= 0 && AGAINST === null) {
  throw new Error("--against needs the path of another checkout of the repository");
}

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
    name: "worst sheet: count=16 scale=16 bicubic RGBA png",
    path: "/sample?count=16&seed=SEED&format=png&scale=16&resample=bicubic&fg=ff6600&bg=transparent",
    images: 16,
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

/** One served build: this checkout's, or (with --against) another checkout's. */
interface Build {
  name: string;
  preview: Preview;
}

/** The other checkout's preview harness, which builds and serves that checkout's deploy bundle. */
async function startAgainst(checkout: string): Promise<Preview> {
  const harness = join(resolve(checkout), "apps/edge-api/scripts/workerd-preview.ts");
  const other = (await import(pathToFileURL(harness).href)) as {
    startPreview: typeof startPreview;
  };
  return other.startPreview({ env: "bench" });
}

interface Measured {
  wall: number[];
  bytes: number[];
  cpuMs: number;
  rss: number;
}

async function main(): Promise<void> {
  const loadBefore = loadavg();
  const builds: Build[] = [];
  try {
    const [against, own] = await Promise.all([
      AGAINST === null ? null : startAgainst(AGAINST),
      startPreview({ env: "bench" }),
    ]);
    if (against !== null) builds.push({ name: `against ${AGAINST}`, preview: against });
    builds.push({ name: "this checkout", preview: own });
    const url = (build: Build, c: Case, seed: number) =>
      `${build.preview.base}${c.path.replace("SEED", String(seed))}`;
    const measured = new Map<string, Measured>();
    const key = (build: Build, c: Case) => `${build.name}\n${c.name}`;
    for (const build of builds) {
      for (const c of CASES) {
        measured.set(key(build, c), { wall: [], bytes: [], cpuMs: 0, rss: 0 });
        for (let i = 0; i < 3; i++) await get(url(build, c, nextSeed++)); // warm up every path
      }
    }
    // every request of the run goes to each build in turn (who goes first alternates), same seed
    for (let i = 0; i < REQUESTS; i++) {
      for (const c of CASES) {
        const seed = nextSeed++;
        const order = i % 2 === 0 ? builds : [...builds].reverse();
        for (const build of order) {
          const { ms, bytes } = await get(url(build, c, seed));
          const m = measured.get(key(build, c)) as Measured;
          m.wall.push(ms);
          m.bytes.push(bytes);
        }
      }
    }
    let peakRss = 0;
    for (const c of CASES) {
      for (const build of builds) {
        const pid = build.preview.child.pid as number;
        const before = cpuSeconds(pid);
        const n = Math.max(5, Math.round(REQUESTS / 3));
        for (let i = 0; i < n; i++) await get(url(build, c, nextSeed++));
        const m = measured.get(key(build, c)) as Measured;
        m.cpuMs = ((cpuSeconds(pid) - before) * 1000) / n;
        m.rss = residentBytes(pid) ?? 0;
        peakRss = Math.max(peakRss, m.rss);
      }
    }
    const rows: Record<
      string,
      {
        wall: Stats;
        cpuMsPerRequest: number;
        bytes: number;
        bytesPerImage: number;
        rssMiB: number;
        /** p50 over the first build's p50 of the same case (with --against). */
        p50Ratio?: number;
        budget?: Case["budget"];
      }
    > = {};
    console.log(
      `\nbare workerd (deploy bundle, --env bench), ${REQUESTS} requests per case, interleaved`,
    );
    console.log(
      "| build | case | p50 ms | p99 ms | p50 / first build | CPU ms/request | bytes (median) | bytes per image | workerd RSS MiB | budget |",
    );
    console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for (const c of CASES) {
      const first = stats((measured.get(key(builds[0] as Build, c)) as Measured).wall).p50;
      for (const build of builds) {
        const m = measured.get(key(build, c)) as Measured;
        const w = stats(m.wall);
        const bytes = stats(m.bytes).p50;
        const row = {
          wall: w,
          cpuMsPerRequest: Math.round(m.cpuMs * 10) / 10,
          bytes,
          bytesPerImage: Math.round(bytes / c.images),
          rssMiB: Math.round(m.rss / 2 ** 20),
          ...(builds.length > 1 && { p50Ratio: Math.round((w.p50 / first) * 1000) / 1000 }),
          ...(c.budget && { budget: c.budget }),
        };
        rows[key(build, c)] = row;
        const budget = c.budget
          ? Object.entries(c.budget)
              .map(([k, v]) => `${k} <= ${v}`)
              .join(", ")
          : "";
        console.log(
          `| ${build.name} | ${c.name} | ${w.p50} | ${w.p99} | ${row.p50Ratio ?? ""} | ${row.cpuMsPerRequest} | ${bytes} | ${row.bytesPerImage} | ${row.rssMiB} | ${budget} |`,
        );
      }
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
      `${JSON.stringify({ requests: REQUESTS, builds: builds.map((b) => b.name), loadBefore, loadAfter, peakRssBytes: peakRss, rows }, null, 2)}\n`,
    );
    renameSync(`${file}.tmp`, file);
    console.log(`wrote ${file}`);
  } finally {
    await Promise.all(builds.map((build) => build.preview.stop()));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
