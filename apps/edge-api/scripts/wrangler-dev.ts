/**
 * Starts `wrangler dev` for this worker on a loopback port and stops it again: shared by the
 * latency bench and the load test, which both measure the real worker in workerd over HTTP.
 *
 * It also finds the workerd processes under wrangler (for resident-memory readings): wrangler's
 * bin re-spawns Node, which spawns two workerd processes (a proxy on the dev port, and the
 * runtime that runs this worker), so it walks /proc for descendants (Linux only).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { constants as osConstants } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** apps/edge-api, where wrangler.jsonc lives. */
export const APP_DIR = fileURLToPath(new URL("..", import.meta.url));

/** A running `wrangler dev`. */
export interface WranglerDev {
  /** e.g. "http://127.0.0.1:41234" */
  base: string;
  port: number;
  child: ChildProcess;
  /** The last ~4 kB of wrangler's stdout+stderr (for error messages). */
  log(): string;
  /** Stop wrangler and workerd (the whole process group); resolves once wrangler exited. */
  stop(): Promise<void>;
  /** Whether stop() was called (wrangler's exit is then expected, not a crash). */
  stopRequested: boolean;
}

/**
 * Keep the last `keepChars` of a child's stdout and stderr (for error messages and log checks),
 * and copy them to this process's own when `echo` is set.
 * @returns what was kept so far
 */
export function captureOutput(child: ChildProcess, keepChars: number, echo = false): () => string {
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-keepChars);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  if (echo) {
    child.stdout?.pipe(process.stdout);
    child.stderr?.pipe(process.stderr);
  }
  return () => output;
}

/**
 * The wrangler CLI's script, found through its package.json "bin" (wrangler's "exports" map does
 * not expose bin/ to require.resolve since 4.1xx).
 */
export function wranglerBin(): string {
  const manifest = createRequire(import.meta.url).resolve("wrangler/package.json");
  const { bin } = JSON.parse(readFileSync(manifest, "utf8")) as { bin: Record<string, string> };
  if (!bin.wrangler) throw new Error(`${manifest} names no "wrangler" bin`);
  return join(dirname(manifest), bin.wrangler);
}

/** A free TCP port on 127.0.0.1 (asked from the OS, then released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Start `wrangler dev --ip 127.0.0.1 --port <port>` in apps/edge-api and wait until `/openapi.json`
 * answers (that route does not load the model, so the first /sample stays cold). First it fills
 * the local MODELS bucket with the shipped models that are not bundled (seed-local-models.ts),
 * so all of them are served, as deployed ones are from R2.
 * @param options.port default: a free port; options.vars: extra `--var NAME:VALUE` bindings;
 *   options.args: extra flags; options.readyTimeoutMs default 120 000.
 * @throws Error with wrangler's last output when it exits or does not answer in time.
 */
export async function startWranglerDev(
  options: {
    port?: number;
    vars?: Record<string, string>;
    /** Extra wrangler dev flags, e.g. ["--inspector-port", "9300"]. */
    args?: string[];
    readyTimeoutMs?: number;
    /** Also copy wrangler's output to this process's stdout/stderr (the dev server). */
    echo?: boolean;
    /** Fill the local MODELS bucket first (default true). */
    seedModels?: boolean;
    /**
     * What stops wrangler when this process is signalled or orphaned: by default a guard that
     * exits with 128 + the signal's number; the dev server installs its own at start-up.
     */
    stopRequest?: StopRequest;
  } = {},
): Promise<WranglerDev> {
  const port = options.port ?? (await freePort());
  if (options.seedModels !== false) {
    // imported here: it loads wrangler's API, which the other users of this module do not need
    const { seedLocalModels } = await import("./seed-local-models.ts");
    const seeded = await seedLocalModels();
    if (options.echo) {
      console.log(
        `local MODELS bucket (R2): ${seeded.models.join(", ")} (${seeded.written} objects written, ${seeded.kept} kept)`,
      );
    }
  }
  const args = [wranglerBin(), "dev", "--ip", "127.0.0.1", "--port", String(port)];
  for (const [name, value] of Object.entries(options.vars ?? {})) {
    args.push("--var", `${name}:${value}`);
  }
  args.push(...(options.args ?? []));
  const child = spawn(process.execPath, args, {
    cwd: APP_DIR,
    detached: true, // own process group, so workerd goes down with it
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1" },
  });
  const output = captureOutput(child, 4000, options.echo);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  // wrangler runs in its own process group: if this process exits first (an error, or a
  // signal turned into process.exit), take the group down rather than leave workerd behind
  const killGroup = () => {
    try {
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  };
  process.once("exit", killGroup);
  child.once("exit", () => process.removeListener("exit", killGroup));

  const dev: WranglerDev = {
    base: `http://127.0.0.1:${port}`,
    port,
    child,
    log: output,
    stopRequested: false,
    async stop() {
      dev.stopRequested = true;
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        child.kill("SIGTERM");
      }
      const timer = setTimeout(() => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
        } catch {
          // already gone
        }
      }, 5000);
      await exited;
      clearTimeout(timer);
    },
  };

  (options.stopRequest ?? exitOnStopRequest(signalExitCode)).setServer(dev, "wrangler dev");
  try {
    await waitReady(dev, options.readyTimeoutMs ?? 120_000);
  } catch (error) {
    await dev.stop();
    throw error;
  }
  return dev;
}

/** The signals that ask a launcher to stop: Ctrl-C, a process manager, a closed terminal. */
export const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/** A server process a launcher runs (wrangler dev, or bare workerd for the preview). */
export interface StoppableServer {
  child: ChildProcess;
  /** Stop it; resolves once its process exited. */
  stop(): Promise<void>;
  /** Whether stop() was called (its exit is then expected, not a crash). */
  stopRequested: boolean;
}

/**
 * Exit when this process is asked to stop (SIGINT, SIGTERM, SIGHUP) or loses its parent, after
 * stopping the server that `setServer` is later given. Install it before starting the server,
 * so that a signal during start-up is never met by Node's default (exit without cleanup).
 *
 * The parent check matters under npm: npm forwards only SIGINT and SIGTERM to its script, so a
 * SIGHUP to `npm start` kills npm and leaves the script running, re-parented; noticing the new
 * parent still takes wrangler and workerd down.
 * @param exitCode the exit status for a stop by `reason` (a signal name or "parent exited").
 * @returns setServer: hand over the started server (wrangler dev, workerd) to stop.
 */
export function exitOnStopRequest(
  exitCode: (reason: string) => number,
  log: (message: string) => void = (m) => process.stderr.write(`${m}\n`),
): StopRequest {
  let server: { it: StoppableServer; name: string } | null = null;
  let stopping = false;
  const shutdown = (reason: string) => {
    if (stopping) return;
    stopping = true;
    log(
      `${reason}: stopping ${server ? `${server.name} (pid ${server.it.child.pid})` : "the server"}`,
    );
    void (server?.it.stop() ?? Promise.resolve()).finally(() => process.exit(exitCode(reason)));
  };
  for (const signal of STOP_SIGNALS) process.on(signal, () => shutdown(signal));
  const parent = currentParentPid();
  setInterval(() => {
    if (currentParentPid() !== parent || !isAlive(parent)) shutdown("parent exited");
  }, 250).unref();
  return {
    setServer(started, name) {
      server = { it: started, name };
      // the server ending by itself (a crash, a kill from outside) ends the launcher too
      started.child.once("exit", (code, signal) => {
        if (stopping || started.stopRequested) return;
        log(`${name} exited (${signal ?? `code ${code}`})`);
        process.exit(code === 0 ? 0 : 1);
      });
    },
  };
}

/** Hands a started server to the guard that stops it (see exitOnStopRequest). */
export interface StopRequest {
  setServer(server: StoppableServer, name: string): void;
}

/** The shell's convention: 128 + the signal's number (130 for SIGINT), 1 for a lost parent. */
export function signalExitCode(reason: string): number {
  const number = osConstants.signals[reason as NodeJS.Signals];
  return number === undefined ? 1 : 128 + number;
}

/** This process's parent now (process.ppid is read once at start-up and never updated). */
function currentParentPid(): number {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return process.ppid;
  }
}

/** Whether `pid` is a live process (a zombie, dead but not yet reaped, counts as gone). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    try {
      process.kill(pid, 0); // no /proc (not Linux): ask the kernel
      return true;
    } catch {
      return false;
    }
  }
}

async function waitReady(dev: WranglerDev, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (dev.child.exitCode !== null) {
      throw new Error(`wrangler dev exited with ${dev.child.exitCode}:\n${dev.log()}`);
    }
    try {
      const res = await fetch(`${dev.base}/openapi.json`);
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `wrangler dev did not answer on ${dev.base} within ${timeoutMs} ms:\n${dev.log()}`,
  );
}

/** Parent pid and command name of every process, from /proc (Linux). */
function processTable(): Map<number, { ppid: number; name: string }> {
  const table = new Map<number, { ppid: number; name: string }>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so cut at the last ")"
      const close = stat.lastIndexOf(")");
      const name = stat.slice(stat.indexOf("(") + 1, close);
      const ppid = Number(stat.slice(close + 2).split(" ")[1]);
      table.set(Number(entry), { ppid, name });
    } catch {
      // the process ended while we looked
    }
  }
  return table;
}

/** A workerd process under wrangler dev and what it does. */
export interface WorkerdProcess {
  pid: number;
  /**
   * wrangler 4 runs two workerd processes: "proxy" listens on the dev port and forwards each
   * request; "worker" runs this worker's code (Hono, onnxruntime-web and the model).
   */
  role: "proxy" | "worker";
}

/** Every process below `rootPid` (children, grandchildren, ...), from /proc; [] without /proc. */
export function descendantPids(rootPid: number): number[] {
  let table: Map<number, { ppid: number; name: string }>;
  try {
    table = processTable();
  } catch {
    return [];
  }
  const found: number[] = [];
  const queue = [rootPid];
  while (queue.length > 0) {
    const parent = queue.shift() as number;
    for (const [pid, info] of table) {
      if (info.ppid !== parent) continue;
      queue.push(pid);
      found.push(pid);
    }
  }
  return found;
}

/**
 * The `workerd` processes below `rootPid` (wrangler -> node -> workerd), with their roles
 * (the one whose command line binds `port` is the proxy).
 * @returns an empty array when none is found (or /proc is unavailable).
 */
export function findWorkerd(rootPid: number, port: number): WorkerdProcess[] {
  const found: WorkerdProcess[] = [];
  for (const pid of descendantPids(rootPid)) {
    let cmdline = "";
    try {
      if (!readFileSync(`/proc/${pid}/stat`, "utf8").includes("(workerd)")) continue;
      cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
    } catch {
      continue; // gone
    }
    const proxy = cmdline.includes(`=127.0.0.1:${port} `) || cmdline.endsWith(`=127.0.0.1:${port}`);
    found.push({ pid, role: proxy ? "proxy" : "worker" });
  }
  return found;
}

/** VmRSS of a process in bytes, from /proc/<pid>/status; null when it is gone. */
export function residentBytes(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}
