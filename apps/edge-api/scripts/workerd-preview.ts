/**
 * The edge API as a deploy would run it: the bundle `wrangler deploy` uploads (built with
 * `wrangler deploy --dry-run --outdir`), served by the bare `workerd` binary that wrangler ships,
 * with no wrangler dev proxy and no Miniflare in front. Used by `npm run preview`, the preview
 * tests (test/preview.node.test.ts) and the latency bench.
 *
 * workerd gets a generated capnp config: the worker's modules as the dry run wrote them
 * (index.js as an ES module, the ORT wasm as a compiled module, each .onnx as data),
 * compatibility date and flags and vars from the chosen wrangler environment, and stand-ins
 * for what bare workerd lacks: the Cache API service (scripts/preview-standins.js, a second
 * worker), whose failures tests switch on at run time, and the rate limiter
 * (scripts/preview-ratelimit.js, a wrapped binding inside the worker's isolate). R2 is not wired
 * in: the preview serves the models the bundle holds.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import {
  APP_DIR,
  captureOutput,
  exitOnStopRequest,
  freePort,
  type StopRequest,
  signalExitCode,
  wranglerBin,
} from "./wrangler-dev.ts";

/** The stand-in cache's behaviour (see preview-standins.js). */
export type CacheMode = "store" | "miss" | "throw" | "hang";

/** The files of a dry-run bundle, by the names the dry run gave them. */
export interface DeployBundle {
  dir: string;
  /** The entry module (index.js for the worker). */
  main: string;
  wasm: string[];
  data: string[];
}

/** What the preview takes from the wrangler environment. */
export interface PreviewWorkerConfig {
  compatibilityDate: string;
  compatibilityFlags: string[];
  vars: Record<string, unknown>;
  ratelimits: { name: string; namespace_id: string; simple: { limit: number; period: number } }[];
  /** The module rules (e.g. `*.onnx` as Data), for builds of other entry modules. */
  rules: unknown[];
  /** The version metadata binding's name, when the environment declares one. */
  versionMetadata?: string;
}

/** A running preview. */
export interface Preview {
  /** e.g. "http://127.0.0.1:41234" */
  base: string;
  port: number;
  /** The stand-ins' control socket (cache mode and stats). */
  controlBase: string;
  /** The workerd process (its pid is what stop() ends). */
  child: ChildProcess;
  /** The wrangler environment the bundle was built for. */
  env: string;
  bundle: DeployBundle;
  /** workerd's stdout+stderr so far (the worker's console lines among them), last ~256 kB. */
  log(): string;
  setCacheMode(mode: CacheMode): Promise<void>;
  cacheStats(): Promise<{
    mode: CacheMode;
    entries: number;
    matches: number;
    hits: number;
    puts: number;
    failures: number;
  }>;
  stop(): Promise<void>;
  stopRequested: boolean;
}

/** The workerd binary wrangler itself runs (its `workerd` dependency, the platform's package). */
export function workerdBin(): string {
  const fromWrangler = createRequire(
    createRequire(import.meta.url).resolve("wrangler/package.json"),
  );
  const workerd = fromWrangler("workerd") as { default?: string } | string;
  const bin = typeof workerd === "string" ? workerd : workerd.default;
  if (!bin) throw new Error("the workerd package wrangler depends on names no binary");
  return bin;
}

/** Run a command to its end; resolves with its output, rejects with it on a non-zero exit. */
function run(command: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1" },
    });
    const output = captureOutput(child, 64_000);
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0
        ? resolve(output())
        : reject(new Error(`${args.slice(0, 4).join(" ")} exited with ${code}:\n${output()}`)),
    );
  });
}

/**
 * Build the bundle `wrangler deploy --env <env>` would upload into `outDir`; with `entry`, the
 * same build (compatibility settings and module rules of wrangler.jsonc) of another worker
 * module instead of src/index.ts: a local-only build such as bench/phase-probe.worker.ts.
 */
export async function buildDeployBundle(
  env: string,
  outDir: string,
  entry?: string,
): Promise<DeployBundle> {
  const args = [wranglerBin(), "deploy", "--dry-run", "--outdir", outDir, "--env", env];
  if (entry !== undefined) {
    const config = await readWorkerConfig(env);
    const probeConfig = join(dirname(outDir), "wrangler.probe.json");
    writeFileSync(
      probeConfig,
      JSON.stringify({
        name: "edgegan-local-probe",
        main: entry,
        compatibility_date: config.compatibilityDate,
        compatibility_flags: config.compatibilityFlags,
        rules: config.rules,
        env: { [env]: {} },
      }),
    );
    args.push("--config", probeConfig);
  }
  await run(process.execPath, args, APP_DIR);
  const files = readdirSync(outDir);
  // the entry module is named after the entry file: index.js for src/index.ts
  const scripts = files.filter((f) => f.endsWith(".js"));
  if (scripts.length !== 1) {
    throw new Error(`the dry run wrote ${scripts.length} entry modules to ${outDir}: ${scripts}`);
  }
  return {
    dir: outDir,
    main: scripts[0] as string,
    wasm: files.filter((f) => f.endsWith(".wasm")),
    data: files.filter((f) => f.endsWith(".onnx")),
  };
}

/** The wrangler environment's settings the preview needs (wrangler's own config reader). */
export async function readWorkerConfig(env: string): Promise<PreviewWorkerConfig> {
  const { unstable_readConfig } = await import("wrangler");
  const config = unstable_readConfig({ config: join(APP_DIR, "wrangler.jsonc"), env });
  if (!config.compatibility_date) throw new Error("wrangler.jsonc sets no compatibility_date");
  return {
    compatibilityDate: config.compatibility_date,
    compatibilityFlags: config.compatibility_flags ?? [],
    vars: config.vars ?? {},
    ratelimits: (config.ratelimits ?? []) as PreviewWorkerConfig["ratelimits"],
    rules: config.rules ?? [],
    ...(config.version_metadata?.binding && { versionMetadata: config.version_metadata.binding }),
  };
}

const capnpString = (text: string) => JSON.stringify(text);

/**
 * The capnp config: the deploy bundle as the `edge-api` worker on `port`, the cache stand-in as
 * `standins` with its control entrypoint on `controlPort`, each rate limiter as a wrapped
 * binding of the extension module `edgegan-preview:ratelimit`. Paths are relative to the config
 * file, which sits beside `bundle/`, `standins.js` and `ratelimit.js`.
 */
export function previewCapnp(options: {
  bundle: Pick<DeployBundle, "main" | "wasm" | "data">;
  config: PreviewWorkerConfig;
  port: number;
  controlPort: number;
  /** Extra text bindings (e.g. a secret such as API_KEY for a test). */
  secrets?: Record<string, string>;
  /** V8 flags for the whole process (diagnostics only: a deploy cannot set any). */
  v8Flags?: string[];
}): string {
  const { bundle, config } = options;
  const modules = [
    `(name = ${capnpString(bundle.main)}, esModule = embed ${capnpString(`bundle/${bundle.main}`)})`,
    ...bundle.wasm.map(
      (f) => `(name = ${capnpString(f)}, wasm = embed ${capnpString(`bundle/${f}`)})`,
    ),
    ...bundle.data.map(
      (f) => `(name = ${capnpString(f)}, data = embed ${capnpString(`bundle/${f}`)})`,
    ),
  ];
  const bindings = [
    ...Object.entries(config.vars).map(([name, value]) =>
      typeof value === "string"
        ? `(name = ${capnpString(name)}, text = ${capnpString(value)})`
        : `(name = ${capnpString(name)}, json = ${capnpString(JSON.stringify(value))})`,
    ),
    // what a deploy's version metadata binding holds: this build, which was never uploaded
    ...(config.versionMetadata
      ? [
          `(name = ${capnpString(config.versionMetadata)}, json = ${capnpString(
            JSON.stringify({ id: "preview", tag: "preview", timestamp: new Date().toISOString() }),
          )})`,
        ]
      : []),
    ...Object.entries(options.secrets ?? {}).map(
      ([name, value]) => `(name = ${capnpString(name)}, text = ${capnpString(value)})`,
    ),
    ...config.ratelimits.map(
      (r) =>
        `(name = ${capnpString(r.name)}, wrapped = (moduleName = "edgegan-preview:ratelimit", ` +
        `innerBindings = [(name = "limit", json = "${r.simple.limit}"), (name = "period", json = "${r.simple.period}")]))`,
    ),
  ];
  const list = (items: string[]) => items.map((i) => `    ${i},`).join("\n");
  return `# Generated by apps/edge-api/scripts/workerd-preview.ts: the deploy bundle in bare workerd.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  extensions = [(modules = [
    (name = "edgegan-preview:ratelimit", internal = true, esModule = embed "ratelimit.js"),
  ])],
  services = [
    (name = "edge-api", worker = .edgeApi),
    (name = "standins", worker = .standins),
  ],
${options.v8Flags?.length ? `  v8Flags = [${options.v8Flags.map(capnpString).join(", ")}],\n` : ""}  sockets = [
    (name = "http", address = "127.0.0.1:${options.port}", http = (), service = "edge-api"),
    (name = "control", address = "127.0.0.1:${options.controlPort}", http = (),
     service = (name = "standins", entrypoint = "Control")),
  ],
);

const edgeApi :Workerd.Worker = (
  modules = [
${list(modules)}
  ],
  compatibilityDate = ${capnpString(config.compatibilityDate)},
  compatibilityFlags = [${config.compatibilityFlags.map(capnpString).join(", ")}],
  bindings = [
${list(bindings)}
  ],
  cacheApiOutbound = "standins",
);

const standins :Workerd.Worker = (
  modules = [(name = "standins.js", esModule = embed "standins.js")],
  compatibilityDate = ${capnpString(config.compatibilityDate)},
);
`;
}

/**
 * Build the deploy bundle for `env`, write the config and start workerd on `port` (default: a
 * free one); resolves once `/openapi.json` answers (no model is loaded by that, so the first
 * /sample stays cold).
 * @throws Error with workerd's output when it exits or does not answer in time.
 */
export async function startPreview(
  options: {
    env?: string;
    port?: number;
    controlPort?: number;
    secrets?: Record<string, string>;
    /** Serve this worker module (absolute path) instead of the deploy bundle's (see buildDeployBundle). */
    entry?: string;
    /** Copy workerd's output to this process's stdout/stderr (the preview command). */
    echo?: boolean;
    /** V8 flags for workerd (diagnostics only: a deploy cannot set any). */
    v8Flags?: string[];
    readyTimeoutMs?: number;
    /** Stops the preview when this process is signalled; default: exit with 128 + signal. */
    stopRequest?: StopRequest;
  } = {},
): Promise<Preview> {
  const env = options.env ?? "production";
  const stopRequest = options.stopRequest ?? exitOnStopRequest(signalExitCode);
  const dir = mkdtempSync(join(tmpdir(), "edgegan-preview-"));
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  let bundle: DeployBundle;
  let config: PreviewWorkerConfig;
  try {
    mkdirSync(join(dir, "bundle"));
    [bundle, config] = await Promise.all([
      buildDeployBundle(env, join(dir, "bundle"), options.entry),
      readWorkerConfig(env),
    ]);
  } catch (error) {
    removeDir();
    throw error;
  }
  copyFileSync(
    join(dirname(new URL(import.meta.url).pathname), "preview-ratelimit.js"),
    join(dir, "ratelimit.js"),
  );
  copyFileSync(
    join(dirname(new URL(import.meta.url).pathname), "preview-standins.js"),
    join(dir, "standins.js"),
  );
  const port = options.port ?? (await freePort());
  const controlPort = options.controlPort ?? (await freePort());
  const configPath = join(dir, "preview.capnp");
  writeFileSync(
    configPath,
    previewCapnp({
      bundle,
      config,
      port,
      controlPort,
      ...(options.secrets && { secrets: options.secrets }),
      ...(options.v8Flags && { v8Flags: options.v8Flags }),
    }),
  );

  const child = spawn(workerdBin(), ["serve", configPath], {
    cwd: dir,
    detached: true, // a Ctrl-C in the terminal reaches the launcher, which stops workerd by pid
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output = captureOutput(child, 256_000, options.echo);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  // this process ending first (an error, a signal turned into process.exit) takes workerd along
  const killWorkerd = () => {
    try {
      if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  };
  process.once("exit", killWorkerd);
  child.once("exit", () => {
    process.removeListener("exit", killWorkerd);
    removeDir();
  });

  const controlBase = `http://127.0.0.1:${controlPort}`;
  const preview: Preview = {
    base: `http://127.0.0.1:${port}`,
    port,
    controlBase,
    child,
    env,
    bundle,
    log: output,
    stopRequested: false,
    async setCacheMode(mode) {
      const res = await fetch(`${controlBase}/cache-mode?mode=${mode}`, { method: "POST" });
      if (!res.ok) throw new Error(`cache-mode ${mode}: ${res.status} ${await res.text()}`);
      await res.arrayBuffer().catch(() => undefined);
    },
    async cacheStats() {
      return (await (await fetch(`${controlBase}/cache-stats`)).json()) as Awaited<
        ReturnType<Preview["cacheStats"]>
      >;
    },
    async stop() {
      preview.stopRequested = true;
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
  stopRequest.setServer(preview, "workerd");
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`workerd exited with ${child.exitCode}:\n${output().slice(-4000)}`);
    }
    try {
      const res = await fetch(`${preview.base}/openapi.json`);
      await res.arrayBuffer();
      if (res.ok) return preview;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await preview.stop();
  throw new Error(`workerd did not answer on ${preview.base} in time:\n${output().slice(-4000)}`);
}
