import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TensorData } from "@edgegan/model/gan-state";
import { DEFAULT_TRAIN_CONFIG } from "@edgegan/shared/train-config";
import { describe, expect, it } from "vitest";
import {
  CHECKPOINT_FILE,
  type CheckpointTensors,
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

const float32 = (shape: number[], values: number[]): TensorData => ({
  shape,
  dtype: "float32",
  values: Float32Array.from(values),
});

/** A checkpoint's groups: `parts`, the others one small tensor each. */
const tensorsOf = (parts: Partial<CheckpointTensors>): CheckpointTensors => ({
  generator: [float32([1], [1])],
  discriminator: [float32([1], [2])],
  gOptimizer: [float32([1], [3])],
  dOptimizer: [float32([1], [4])],
  ema: [float32([1], [5])],
  ...parts,
});

describe("checkpoint encoding", () => {
  it("round-trips state and float32/int32 tensors exactly", () => {
    const a = float32([2, 2], [1.5, -2.25, 3e-8, 4]);
    const b: TensorData = { shape: [], dtype: "int32", values: Int32Array.of(7) };
    const tensors = tensorsOf({ generator: [a], gOptimizer: [b, a], ema: [a] });
    const decoded = decodeCheckpoint(encodeCheckpoint(state, tensors), "mem");
    expect(decoded.state).toEqual(state);
    expect(decoded.tensors).toEqual(tensors);
    expect(decoded.tensors.gOptimizer[0]?.values).toBeInstanceOf(Int32Array);
  });

  it("refuses a checkpoint that lacks a group, naming the file and the group", () => {
    const bytes = encodeCheckpoint(state, tensorsOf({}));
    // rename the group in the JSON header (same length, so the layout stays valid)
    const headerLength = new DataView(bytes.buffer).getUint32(4, true);
    const header = new TextDecoder().decode(bytes.subarray(8, 8 + headerLength));
    const edited = bytes.slice();
    edited.set(new TextEncoder().encode(header.replace('"group":"ema"', '"group":"emx"')), 8);
    expect(() => decodeCheckpoint(edited, "ck.bin")).toThrow(
      /ck.bin has no "ema" tensors: not a complete EdgeGAN checkpoint/,
    );
  });

  it("refuses a file that is not a checkpoint", () => {
    expect(() => decodeCheckpoint(new TextEncoder().encode("hello world"), "x.bin")).toThrow(
      /x.bin is not an EdgeGAN checkpoint/,
    );
  });

  it("detects a truncated file, naming it", () => {
    const ones = float32([16, 16], Array(256).fill(1));
    const bytes = encodeCheckpoint(state, tensorsOf({ generator: [ones] }));
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
    saveCheckpoint(dir, state, tensorsOf({ ema: [float32([3], [0.5, 0.5, 0.5])] }));
    const loaded = loadCheckpoint(dir);
    expect(loaded?.state.step).toBe(1234);
    expect(Array.from(loaded?.tensors.ema[0]?.values ?? [])).toEqual([0.5, 0.5, 0.5]);
    const full = readFileSync(join(dir, CHECKPOINT_FILE));
    writeFileSync(join(dir, CHECKPOINT_FILE), full.subarray(0, full.length - 4));
    expect(() => loadCheckpoint(dir)).toThrow(/truncated or corrupt/);
  });
});
