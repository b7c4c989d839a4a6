/**
 * Checkpoints: everything needed to continue a run exactly, in one file written atomically.
 *
 * Layout of `checkpoint.bin`: "EGCK" magic, uint32 LE header length, UTF-8 JSON header
 * (state + tensor index), zero padding to a multiple of 4, then the tensors' float32/int32
 * data back to back. One file means one rename makes it visible: never half-written.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { RngState } from "@edgegan/shared/rng";
import type { TrainConfig } from "@edgegan/shared/train-config";
import * as tf from "@tensorflow/tfjs-core";
import { writeFileAtomic } from "./atomic-write.ts";

export const CHECKPOINT_FILE = "checkpoint.bin";
const MAGIC = "EGCK";
const FORMAT_VERSION = 1;

/** Where a run is, apart from its tensors. */
export interface RunState {
  config: TrainConfig;
  /** Optimisation steps done in total. */
  step: number;
  /** Epochs completed. */
  epoch: number;
  /** Steps done within the current (unfinished) epoch. */
  stepInEpoch: number;
  /** Seed of the current epoch's shuffle, or null between epochs. */
  epochSeed: number | null;
  /** State of the run's RNG (z and fake labels), for exact continuation. */
  rngState: RngState;
  wallTimeSeconds: number;
  backend: string;
  lastLosses: { d: number; g: number } | null;
}

/** Named groups of tensors, each in a fixed order (model.weights order, optimizer order). */
export type TensorGroups = Record<string, tf.Tensor[]>;

interface TensorEntry {
  group: string;
  index: number;
  shape: number[];
  dtype: "float32" | "int32";
  byteOffset: number;
  byteLength: number;
}

interface Header {
  formatVersion: number;
  state: RunState;
  tensors: TensorEntry[];
}

/** Serialise state and tensors into the checkpoint byte layout. */
export function encodeCheckpoint(state: RunState, groups: TensorGroups): Uint8Array {
  const entries: TensorEntry[] = [];
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [group, tensors] of Object.entries(groups)) {
    tensors.forEach((tensor, index) => {
      if (tensor.dtype !== "float32" && tensor.dtype !== "int32") {
        throw new Error(`checkpoint cannot store ${group}[${index}] of dtype ${tensor.dtype}`);
      }
      const data = tensor.dataSync() as Float32Array | Int32Array;
      const bytes = new Uint8Array(
        data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength),
      );
      entries.push({
        group,
        index,
        shape: tensor.shape,
        dtype: tensor.dtype,
        byteOffset: offset,
        byteLength: bytes.length,
      });
      chunks.push(bytes);
      offset += bytes.length;
    });
  }
  const header = new TextEncoder().encode(
    JSON.stringify({ formatVersion: FORMAT_VERSION, state, tensors: entries } satisfies Header),
  );
  const dataStart = align4(8 + header.length);
  const out = new Uint8Array(dataStart + offset);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(4, header.length, true);
  out.set(header, 8);
  let cursor = dataStart;
  for (const chunk of chunks) {
    out.set(chunk, cursor);
    cursor += chunk.length;
  }
  return out;
}

function align4(n: number): number {
  return Math.ceil(n / 4) * 4;
}

/**
 * Parse checkpoint bytes.
 * @throws Error naming `source` when the file is not a checkpoint, is truncated or is corrupt.
 */
export function decodeCheckpoint(
  bytes: Uint8Array,
  source: string,
): { state: RunState; groups: TensorGroups } {
  if (bytes.length < 8 || new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC) {
    throw new Error(`${source} is not an EdgeGAN checkpoint (missing the "${MAGIC}" magic bytes)`);
  }
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true);
  if (8 + headerLength > bytes.length) {
    throw new Error(
      `${source} is truncated: its header needs ${8 + headerLength} bytes, the file has ${bytes.length}`,
    );
  }
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Header;
  } catch (error) {
    throw new Error(
      `${source} is corrupt: its header is not valid JSON (${(error as Error).message})`,
    );
  }
  if (header.formatVersion !== FORMAT_VERSION) {
    throw new Error(
      `${source} has checkpoint format ${header.formatVersion}; this trainer reads format ${FORMAT_VERSION}`,
    );
  }
  const dataStart = align4(8 + headerLength);
  const needed = dataStart + header.tensors.reduce((sum, t) => sum + t.byteLength, 0);
  if (bytes.length !== needed) {
    throw new Error(
      `${source} is truncated or corrupt: its index describes ${needed} bytes, the file has ${bytes.length}`,
    );
  }
  const groups: TensorGroups = {};
  for (const entry of header.tensors) {
    const start = bytes.byteOffset + dataStart + entry.byteOffset;
    const buffer = bytes.buffer.slice(start, start + entry.byteLength);
    const values = entry.dtype === "int32" ? new Int32Array(buffer) : new Float32Array(buffer);
    const list = groups[entry.group] ?? [];
    list[entry.index] = tf.tensor(values, entry.shape, entry.dtype);
    groups[entry.group] = list;
  }
  return { state: header.state, groups };
}

/** Write the run's checkpoint into `dir` atomically. */
export function saveCheckpoint(dir: string, state: RunState, groups: TensorGroups): string {
  const path = join(dir, CHECKPOINT_FILE);
  writeFileAtomic(path, encodeCheckpoint(state, groups));
  return path;
}

/** Read the checkpoint in `dir`, or null when there is none. */
export function loadCheckpoint(dir: string): { state: RunState; groups: TensorGroups } | null {
  const path = join(dir, CHECKPOINT_FILE);
  if (!existsSync(path)) return null;
  return decodeCheckpoint(new Uint8Array(readFileSync(path)), path);
}
