/**
 * The shared-memory averager alone, in one thread: a replica that waits for others who never come
 * gives up after its timeout (not counting time its process was stopped), and a failure raised by
 * another replica ends the wait at once.
 * (Averaging across real threads is tested with the stepper, data-parallel.test.ts.)
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { useCpuBackend } from "../../test/cpu-backend.ts";
import {
  createSharedAverager,
  createSharedStepMemory,
  failedReplica,
  raiseFailure,
} from "./shared-averager.ts";

beforeAll(() => useCpuBackend());

const grads = () => [tf.tensor1d([1, 2, 3]), tf.tensor2d([[4]])];

describe("shared averager", () => {
  it("with one replica, returns its own gradients and loss scaled by its share", () => {
    const memory = createSharedStepMemory(1, { discriminator: 4, generator: 1 });
    const averager = createSharedAverager(memory, 0);
    averager.setShare(0.5);
    const out = averager.average("discriminator", tf.scalar(3), grads());
    expect(out.loss).toBe(1.5);
    expect(out.grads.map((g) => Array.from(g.dataSync()))).toEqual([[0.5, 1, 1.5], [2]]);
    expect(out.grads[1]?.shape).toEqual([1, 1]);
    expect(averager.timings.averages).toBe(1);
    tf.dispose(out.grads);
  });

  it("refuses gradients that do not fill the network's slot", () => {
    const memory = createSharedStepMemory(1, { discriminator: 5, generator: 1 });
    expect(() =>
      createSharedAverager(memory, 0).average("discriminator", tf.scalar(1), grads()),
    ).toThrow(/discriminator has 4 gradient values, the shared slot 5/);
  });

  it("gives up waiting for a replica that never arrives, and marks the run failed", () => {
    const memory = createSharedStepMemory(2, { discriminator: 4, generator: 1 }, 100);
    const started = performance.now();
    expect(() =>
      createSharedAverager(memory, 0).average("discriminator", tf.scalar(1), grads()),
    ).toThrow(/replica 0 waited 100 ms at a barrier/);
    expect(performance.now() - started).toBeGreaterThanOrEqual(95);
    expect(failedReplica(memory)).toBe(0);
  });

  it("does not count time its process was stopped (Ctrl-Z, then fg) toward the timeout", async () => {
    // the child waits with a 2 s timeout; stopped 0.3 s in for 3 s, it must still wait ~1 s after
    // it continues (counting the stopped time, it would give up at once)
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        fileURLToPath(new URL("../../test/barrier-wait.child.ts", import.meta.url)),
        "2000",
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let output = "";
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const started = new Promise<void>((resolve) =>
      child.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes("waiting")) resolve();
      }),
    );
    const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
    await started;
    await sleep(300);
    child.kill("SIGSTOP");
    await sleep(3000);
    child.kill("SIGCONT");
    const continued = performance.now();
    await exited;
    expect(output).toMatch(/replica 0 waited 2000 ms at a barrier/);
    expect(performance.now() - continued).toBeGreaterThan(500);
  }, 20_000);

  it("stops at once when another replica raised a failure", () => {
    const memory = createSharedStepMemory(2, { discriminator: 4, generator: 1 }, 60_000);
    raiseFailure(memory, 1);
    expect(() =>
      createSharedAverager(memory, 0).average("discriminator", tf.scalar(1), grads()),
    ).toThrow(/replica 1 failed; the step was abandoned/);
  });
});
