/**
 * Test support: reads tfevents files with readers that are not the writer's code: protobufjs,
 * given TensorFlow's event.proto / summary.proto field numbers as declared below.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import protobuf from "protobufjs";
import { expect } from "vitest";
import { maskedCrc32c } from "../src/tensorboard/masked-crc.ts";

/** The messages as TensorFlow declares them (the fields TensorBoard's scalars and images use). */
const SCHEMA = protobuf.parse(`
  syntax = "proto3";
  package tensorflow;
  message Event {
    double wall_time = 1;
    int64 step = 2;
    oneof what { string file_version = 3; bytes graph_def = 4; Summary summary = 5; }
  }
  message Summary {
    message Image {
      int32 height = 1; int32 width = 2; int32 colorspace = 3; bytes encoded_image_string = 4;
    }
    message Value {
      string node_name = 7; string tag = 1;
      oneof value { float simple_value = 2; bytes obsolete_old_style_histogram = 3; Image image = 4; }
    }
    repeated Value value = 1;
  }
`).root;
export const Event = SCHEMA.lookupType("tensorflow.Event");

/** Split a tfevents file into its records' data, checking each length and CRC. */
export function records(bytes: Uint8Array): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; ) {
    const length = Number(view.getBigUint64(at, true));
    expect(view.getUint32(at + 8, true)).toBe(maskedCrc32c(bytes.subarray(at, at + 8)));
    const data = bytes.subarray(at + 12, at + 12 + length);
    expect(view.getUint32(at + 12 + length, true)).toBe(maskedCrc32c(data));
    out.push(data);
    at += 16 + length;
  }
  return out;
}

/** Every event of the one event file in `dir`, as plain objects (int64 as numbers, bytes as arrays). */
export function readEventDir(dir: string): { file: string; events: EventObject[] } {
  const files = readdirSync(dir).filter((f) => f.startsWith("events.out.tfevents."));
  expect(files).toHaveLength(1);
  const file = files[0] as string;
  const events = records(new Uint8Array(readFileSync(join(dir, file)))).map(
    (r) => Event.toObject(Event.decode(r), { longs: Number, bytes: Array }) as EventObject,
  );
  return { file, events };
}

/** An Event as protobufjs gives it. */
export interface EventObject {
  wallTime: number;
  step?: number;
  fileVersion?: string;
  summary?: {
    value: {
      tag: string;
      simpleValue?: number;
      image?: { height: number; width: number; colorspace: number; encodedImageString: number[] };
    }[];
  };
}
