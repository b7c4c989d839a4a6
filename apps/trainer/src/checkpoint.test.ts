import "@tensorflow/tfjs-backend-cpu";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_TRAIN_CONFIG } from "@edgegan/shared/train-config";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import {
  CHECKPOINT_FILE,
  decodeCheckpoint,
  encodeCheckpoint,
  loadCheckpoint,
  type RunState,
  saveCheckpoint,
} from "./checkpoint.ts";

const state: RunState = {
  config: DEFAULT_TRAIN_CONFIG,
  step: 1234,
  epoch: 1,
  stepInEpoch: 297,
  epochSeed: 987654321,
  rngState: [1, 2, 3, 4],
  wallTimeSeconds: 61.5,
  backend: "cpu",
  lastLosses: { d: 1.25, g: 0.75 },
};

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("checkpoint encoding", () => {
  it("round-trips state and float32/int32 tensors exactly", () => {
    const a = tf.tensor2d(
      [
        [1.5, -2.25],
        [3e-8, 4],
      ],
      [2, 2],
    );
    const b = tf.scalar(7, "int32");
    const bytes = encodeCheckpoint(state, { generator: [a], gOptimizer: [b, a] });
    const decoded = decodeCheckpoint(bytes, "mem");
    expect(decoded.state).toEqual(state);
    expect(decoded.groups.generator?.[0]?.arraySync()).toEqual(a.arraySync());
    expect(decoded.groups.gOptimizer?.[0]?.dtype).toBe("int32");
    expect(decoded.groups.gOptimizer?.[0]?.arraySync()).toBe(7);
    expect(decoded.groups.gOptimizer?.[1]?.shape).toEqual([2, 2]);
  });

  it("refuses a file that is not a checkpoint", () => {
    expect(() => decodeCheckpoint(new TextEncoder().encode("hello world"), "x.bin")).toThrow(
      /x.bin is not an EdgeGAN checkpoint/,
    );
  });

  it("detects a truncated file, naming it", () => {
    const bytes = encodeCheckpoint(state, { generator: [tf.ones([16, 16])] });
    expect(() => decodeCheckpoint(bytes.subarray(0, bytes.length - 10), "ck.bin")).toThrow(
      /ck.bin is truncated or corrupt/,
    );
    expect(() => decodeCheckpoint(bytes.subarray(0, 20), "ck.bin")).toThrow(
      /ck.bin is truncated: its header needs/,
    );
  });

  it("saves atomically and loads from a folder; none there gives null", () => {
    const dir = mkdtempSync(join(tmpdir(), "edgegan-ck-"));
    expect(loadCheckpoint(dir)).toBeNull();
    saveCheckpoint(dir, state, { ema: [tf.fill([3], 0.5)] });
    const loaded = loadCheckpoint(dir);
    expect(loaded?.state.step).toBe(1234);
    expect(Array.from(loaded?.groups.ema?.[0]?.dataSync() ?? [])).toEqual([0.5, 0.5, 0.5]);
    const full = readFileSync(join(dir, CHECKPOINT_FILE));
    writeFileSync(join(dir, CHECKPOINT_FILE), full.subarray(0, full.length - 4));
    expect(() => loadCheckpoint(dir)).toThrow(/truncated or corrupt/);
  });
});
