/**
 * Every environment variable the code (or a tool it runs) reads reaches it through turbo. turbo 2
 * runs tasks in strict environment mode: a variable that turbo.json does not name for a task is
 * removed before the task's script starts (that is how `EDGEGAN_ENV=production npm run deploy`
 * once deployed staging). So: (1) every `process.env.X` (and `env.X` on a NodeJS.ProcessEnv) in
 * the repo is listed in READERS below with the tasks that read it, and (2) turbo itself, asked
 * with `turbo run ... --dry=json`, passes each listed variable to each of those tasks. A new
 * variable fails (1) until it is listed, a listed one that turbo.json lacks fails (2).
 * Biome's noUndeclaredEnvVars checks the `process.env` reads against turbo.json on every lint too.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Who reads each variable: the turbo tasks that must receive it, or why no task needs it.
 * Tools count as readers: tfjs-node's TensorFlow reads TF_* and CUDA_* inside train/eval/synth,
 * wrangler reads the Cloudflare credentials inside the deploy tasks.
 */
const READERS: Record<string, { tasks: string[]; why: string }> = {
  EDGEGAN_FASHION_MNIST_DIR: {
    tasks: ["test", "train", "eval", "synth"],
    why: "where the Fashion-MNIST IDX files are",
  },
  EDGEGAN_REQUIRE_OPTIONAL_DATA: { tasks: ["test"], why: "CI: fail instead of skipping" },
  EDGEGAN_CACHE_DIR: { tasks: ["test", "train", "eval", "synth"], why: "the classifier cache" },
  CHROMIUM: { tasks: ["test"], why: "the browser of the gallery test" },
  EDGEGAN_REQUIRE_CHROMIUM: {
    tasks: ["test"],
    why: "CI: the gallery test fails instead of skipping",
  },
  BENCH_SHAPES: { tasks: ["bench"], why: "the train-step bench lists kernel calls' shapes" },
  EDGEGAN_FMA_GEMM: {
    tasks: ["test", "train", "eval", "synth", "bench"],
    why: "0 turns off the FMA GEMM convolutions (the XNNPACK ones run)",
  },
  EDGEGAN_FMA_MATMUL: {
    tasks: ["test", "train", "eval", "synth", "bench"],
    why: "0 turns off the FMA GEMM dense products alone",
  },
  PORT: { tasks: ["dev"], why: "the dev server's port" },
  TF_CPP_MIN_LOG_LEVEL: { tasks: ["train", "eval", "synth"], why: "TensorFlow's native log level" },
  TF_FORCE_GPU_ALLOW_GROWTH: { tasks: ["train", "eval", "synth"], why: "TensorFlow GPU memory" },
  CUDA_VISIBLE_DEVICES: { tasks: ["train", "eval", "synth"], why: "which GPUs tfjs-node-gpu sees" },
  CLOUDFLARE_API_TOKEN: {
    tasks: ["deploy:staging", "deploy:production"],
    why: "wrangler's credentials",
  },
  CLOUDFLARE_ACCOUNT_ID: {
    tasks: ["deploy:staging", "deploy:production"],
    why: "wrangler's account",
  },
  // no turbo task: set by npm and turbo themselves, or read by a script run outside turbo
  INIT_CWD: { tasks: [], why: "set by npm for every script" },
  TURBO_INVOCATION_DIR: { tasks: [], why: "set by turbo for every task" },
  LOAD_SECONDS: { tasks: [], why: "npm run test:load runs outside turbo (npm -w)" },
};

const SKIP_DIRS = new Set(["node_modules", ".turbo", ".wrangler", "dist", "models", "fixtures"]);

function sourceFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith(".") && entry.name !== ".ci") continue;
    if (SKIP_DIRS.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...sourceFiles(path));
    else if (/\.(ts|mts|mjs|js)$/.test(entry.name) && !entry.name.endsWith(".d.ts")) {
      found.push(path);
    }
  }
  return found;
}

/** The variable names a source text reads, with the file for the message. */
export function envReads(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(
    /process\.env(?:\.([A-Za-z_]\w*)|\[\s*["'`]([A-Za-z_]\w*)["'`]\s*\])/g,
  )) {
    names.add((m[1] ?? m[2]) as string);
  }
  // helpers that take the environment as a parameter (`env: NodeJS.ProcessEnv = process.env`)
  if (text.includes("NodeJS.ProcessEnv")) {
    for (const m of text.matchAll(/\benv\.([A-Z][A-Z0-9_]*)\b/g)) names.add(m[1] as string);
  }
  return [...names];
}

/** The variables turbo passes to each task, from its own dry run. */
function turboPasses(tasks: string[]): Map<string, string[]> {
  const json = execFileSync("npx", ["turbo", "run", ...tasks, "--dry=json"], {
    cwd: repoRoot,
    encoding: "utf8",
    maxBuffer: 64 * 2 ** 20,
  });
  const run = JSON.parse(json) as {
    globalCacheInputs: { environmentVariables: { specified: Specified } };
    tasks: { task: string; environmentVariables: { specified: Specified } }[];
  };
  const global = names(run.globalCacheInputs.environmentVariables.specified);
  const byTask = new Map<string, string[]>();
  for (const task of run.tasks) {
    byTask.set(task.task, [...global, ...names(task.environmentVariables.specified)]);
  }
  return byTask;
}
interface Specified {
  env: string[] | null;
  passThroughEnv: string[] | null;
}
const names = (s: Specified) => [...(s.env ?? []), ...(s.passThroughEnv ?? [])];

/** Whether a turbo pattern (`NAME` or `PREFIX_*`) covers `name`. */
function covers(pattern: string, name: string): boolean {
  return pattern.endsWith("*") ? name.startsWith(pattern.slice(0, -1)) : pattern === name;
}

describe("environment variables and turbo's strict mode", () => {
  it("lists every variable the code reads, with who reads it", () => {
    const unlisted: string[] = [];
    const self = fileURLToPath(import.meta.url); // its examples below are not reads
    for (const file of sourceFiles(repoRoot).filter((f) => f !== self)) {
      for (const name of envReads(readFileSync(file, "utf8"))) {
        if (!(name in READERS)) unlisted.push(`${name} (${relative(repoRoot, file)})`);
      }
    }
    expect(unlisted, "add them to READERS and to turbo.json").toEqual([]);
  });

  it("has turbo pass each variable to every task that reads it", () => {
    const tasks = [...new Set(Object.values(READERS).flatMap((r) => r.tasks))];
    const passes = turboPasses(tasks);
    const missing: string[] = [];
    for (const [name, { tasks: readers }] of Object.entries(READERS)) {
      for (const task of readers) {
        const patterns = passes.get(task);
        expect(patterns, `turbo knows task ${task}`).toBeDefined();
        if (!patterns?.some((p) => covers(p, name))) missing.push(`${name} -> ${task}`);
      }
    }
    expect(missing, "declare them in turbo.json (passThroughEnv)").toEqual([]);
  });

  it("finds the reads it is meant to find", () => {
    expect(envReads('const a = process.env.FOO_BAR; process.env["BAZ"];')).toEqual([
      "FOO_BAR",
      "BAZ",
    ]);
    expect(envReads("(env: NodeJS.ProcessEnv) => env.SOME_DIR || env.lower")).toEqual(["SOME_DIR"]);
  });
});
