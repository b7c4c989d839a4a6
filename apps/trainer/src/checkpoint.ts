/**
 * Checkpoints: everything needed to continue a run exactly, in one file written atomically: the
 * run's state (its data cursor, RNG, clock) and its tensors (the GAN's state as
 * @edgegan/model/gan-state captures it, the same codec that starts data-parallel replicas, and
 * the EMA generator's weights).
 *
 * Layout of `checkpoint.bin`: "EGCK" magic, uint32 LE header length, UTF-8 JSON header
 * (state + tensor index), zero padding to a multiple of 4, then the tensors' float32/int32
 * data back to back. One file means one rename makes it visible: never half-written.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { GAN_STATE_GROUPS, type GanState, type TensorData } from "@edgegan/model/gan-state";
import type { TeacherRef } from "@edgegan/shared";
import type { RngState } from "@edgegan/shared/rng";
import type { TrainConfig } from "@edgegan/shared/train-config";
import { writeFileAtomic } from "./atomic-write.ts";
import type { DataCursor } from "./batches.ts";

export const CHECKPOINT_FILE = "checkpoint.bin";
const MAGIC = "EGCK";
const FORMAT_VERSION = 1;

/** Where a run is, apart from its tensors: its data cursor (batches.ts) and the rest. */
export interface RunState extends DataCursor {
  config: TrainConfig;
  /** State of the run's RNG (shuffle seeds, z and fake labels), for exact continuation. */
  rngState: RngState;
  wallTimeSeconds: number;
  backend: string;
  lastLosses: { d: number; g: number } | null;
  /**
   * The model distilled from (--teacher) by name, version and sha256, or null; absent in
   * checkpoints written before it was recorded (their config's teacher path stands in).
   */
  teacher?: TeacherRef | null;
}

/** A checkpoint's tensors: the GAN's state and the EMA of G's weights (model.weights order). */
export type CheckpointTensors = GanState & { ema: TensorData[] };

/** The groups of tensors in a checkpoint, in file order. */
const GROUPS = [...GAN_STATE_GROUPS, "ema"] as const;

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
export function encodeCheckpoint(state: RunState, tensors: CheckpointTensors): Uint8Array {
  const entries: TensorEntry[] = [];
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const group of GROUPS) {
    tensors[group].forEach(({ shape, dtype, values }, index) => {
      const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
      entries.push({ group, index, shape, dtype, byteOffset: offset, byteLength: bytes.length });
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
): { state: RunState; tensors: CheckpointTensors } {
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
  const groups: Record<string, TensorData[]> = {};
  for (const entry of header.tensors) {
    const start = bytes.byteOffset + dataStart + entry.byteOffset;
    const buffer = bytes.buffer.slice(start, start + entry.byteLength);
    const values = entry.dtype === "int32" ? new Int32Array(buffer) : new Float32Array(buffer);
    const list = groups[entry.group] ?? [];
    list[entry.index] = { shape: entry.shape, dtype: entry.dtype, values };
    groups[entry.group] = list;
  }
  const group = (name: (typeof GROUPS)[number]): TensorData[] => {
    const list = groups[name];
    if (!list)
      throw new Error(`${source} has no "${name}" tensors: not a complete EdgeGAN checkpoint`);
    const missing = Array.from(list).findIndex((t) => t === undefined);
    if (missing >= 0) throw new Error(`${source} is corrupt: its index lacks ${name}[${missing}]`);
    return list;
  };
  const tensors: CheckpointTensors = {
    generator: group("generator"),
    discriminator: group("discriminator"),
    gOptimizer: group("gOptimizer"),
    dOptimizer: group("dOptimizer"),
    ema: group("ema"),
  };
  return { state: header.state, tensors };
}

/** Write the run's checkpoint into `dir` atomically. */
export function saveCheckpoint(dir: string, state: RunState, tensors: CheckpointTensors): string {
  const path = join(dir, CHECKPOINT_FILE);
  writeFileAtomic(path, encodeCheckpoint(state, tensors));
  return path;
}

/** Read the checkpoint in `dir`, or null when there is none. */
export function loadCheckpoint(
  dir: string,
): { state: RunState; tensors: CheckpointTensors } | null {
  const path = join(dir, CHECKPOINT_FILE);
  if (!existsSync(path)) return null;
  return decodeCheckpoint(new Uint8Array(readFileSync(path)), path);
}
