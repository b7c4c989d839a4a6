/**
 * Why the same onnxruntime-web wasm runs slower in bare workerd than in Node: a diagnostic bench
 * (`npm run bench:bounds-checks`, not a test). V8 can guard a wasm memory two ways: by page
 * faults in a reserved region (the "trap handler", which the embedder must install; Node does)
 * or by an explicit compare and branch before every load and store. The V8 flag
 * `--wasm-enforce-bounds-checks` forces the second. Four arms, interleaved round by round so
 * machine noise hits all alike, each timing the generator's `session.run` of count=16:
 *
 * - workerd, as a deploy runs it, and workerd with the flag (the preview's `v8Flags`; a deploy
 *   cannot set flags, this is diagnosis only): the timing build bench/phase-probe.worker.ts;
 * - Node, and Node with the flag: a child process of this file (`--child`) per arm.
 *
 * If the flag slows Node but not workerd, workerd already checks bounds explicitly: the wasm
 * kernels pay a branch per memory access there, and no worker code can change that.
 *
 *   npm run bench:bounds-checks -w @edgegan/edge-api -- [--model mnist|mnist-full] [--rounds 8]
 */
import { type ChildProcess, spawn } from "node:child_process";
import { loadavg } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { readModelFolder } from "@edgegan/model/read-model-folder";
import { LATENT_SIZE, NUM_CLASSES, ONNX_IO } from "@edgegan/shared";
import { startPreview } from "../scripts/workerd-preview.ts";
import { APP_DIR } from "../scripts/wrangler-dev.ts";
import { feedsFor, stats } from "./timing.ts";

const FLAG = "--wasm-enforce-bounds-checks";
const COUNT = 16;
const { values } = parseArgs({
  options: {
    child: { type: "boolean", default: false },
    model: { type: "string", default: "mnist" },
    rounds: { type: "string", default: "8" },
    "per-round": { type: "string", default: "15" },
  },
});
const model = values.model;
if (model !== "mnist" && model !== "mnist-full") {
  throw new Error(`--model must be mnist or mnist-full (the timing build's models), got ${model}`);
}

/** The child: one ORT-web session; each stdin line N answers the mean ms of N runs. */
async function child(): Promise<void> {
  const ort = await import("onnxruntime-web");
  ort.env.wasm.numThreads = 1;
  const bytes = (await readModelFolder(join(APP_DIR, "models", model))).onnx;
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: "all" });
  const { z, label } = feedsFor(COUNT, 1);
  const feeds = {
    [ONNX_IO.latentInput]: new ort.Tensor("float32", z, [COUNT, LATENT_SIZE]), // [16, 100]
    [ONNX_IO.labelInput]: new ort.Tensor("float32", label, [COUNT, NUM_CLASSES]), // [16, 10]
  };
  for (let i = 0; i < 5; i++) await session.run(feeds);
  process.stdout.write("ready\n");
  for await (const line of createInterface({ input: process.stdin })) {
    const n = Number(line);
    const started = performance.now();
    for (let i = 0; i < n; i++) await session.run(feeds);
    process.stdout.write(`${(performance.now() - started) / n}\n`);
  }
}

/** A Node arm: this file as a child with `v8Flags`; `measure(n)` gives its mean ms of n runs. */
async function nodeArm(v8Flags: string[]) {
  const proc: ChildProcess = spawn(
    process.execPath,
    [...process.execArgv, ...v8Flags, fileURLToPath(import.meta.url), "--child", "--model", model],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  const lines = createInterface({ input: proc.stdout as NonNullable<ChildProcess["stdout"]> });
  const pending: ((line: string) => void)[] = [];
  lines.on("line", (line) => pending.shift()?.(line));
  const next = () => new Promise<string>((resolve) => pending.push(resolve));
  if ((await next()) !== "ready") throw new Error("the Node child did not start");
  return {
    async measure(n: number) {
      const answer = next();
      proc.stdin?.write(`${n}\n`);
      return Number(await answer);
    },
    stop: () => proc.kill("SIGTERM"),
  };
}

async function main(): Promise<void> {
  const rounds = Number(values.rounds);
  const perRound = Number(values["per-round"]);
  const entry = fileURLToPath(new URL("./phase-probe.worker.ts", import.meta.url));
  const loadBefore = loadavg();
  const [plain, enforced, nodePlain, nodeEnforced] = await Promise.all([
    startPreview({ env: "bench", entry }),
    startPreview({ env: "bench", entry, v8Flags: [FLAG] }),
    nodeArm([]),
    nodeArm([FLAG]),
  ]);
  const workerdArm = (base: string) => async (n: number) =>
    (
      (await (await fetch(`${base}/?model=${model}&count=${COUNT}&n=${n}`)).json()) as {
        runMs: number;
      }
    ).runMs;
  const arms: Record<string, (n: number) => Promise<number>> = {
    workerd: workerdArm(plain.base),
    [`workerd ${FLAG}`]: workerdArm(enforced.base),
    node: nodePlain.measure,
    [`node ${FLAG}`]: nodeEnforced.measure,
  };
  const series: Record<string, number[]> = Object.fromEntries(
    Object.keys(arms).map((k) => [k, []]),
  );
  try {
    for (let round = 0; round <= rounds; round++) {
      for (const [name, measure] of Object.entries(arms)) {
        const ms = await measure(perRound);
        if (round > 0) series[name]?.push(ms); // round 0 warms up
      }
    }
  } finally {
    nodePlain.stop();
    nodeEnforced.stop();
    await Promise.all([plain.stop(), enforced.stop()]);
  }
  const p50 = Object.fromEntries(Object.entries(series).map(([k, v]) => [k, stats(v).p50]));
  console.log(
    `model ${model}, count=${COUNT}, session.run mean ms per round (${rounds} rounds of ${perRound}):`,
  );
  for (const [name, v] of Object.entries(series))
    console.log(`  ${name}: median ${p50[name]}  [${v.map((x) => x.toFixed(1)).join(", ")}]`);
  const ratio = (a: string, b: string) => ((p50[a] as number) / (p50[b] as number)).toFixed(2);
  console.log(
    `flag's cost: workerd ${ratio(`workerd ${FLAG}`, "workerd")}x, node ${ratio(`node ${FLAG}`, "node")}x`,
  );
  console.log(
    `workerd / node: ${ratio("workerd", "node")}x; workerd / node with the flag: ${ratio("workerd", `node ${FLAG}`)}x`,
  );
  console.log(
    `load average before ${loadBefore.map((x) => x.toFixed(1)).join(" ")}, after ${loadavg()
      .map((x) => x.toFixed(1))
      .join(" ")}`,
  );
}

await (values.child ? child() : main());
