/**
 * `--logdir DIR`: TensorBoard event files, written without TensorFlow.
 *
 * A file `events.out.tfevents.<seconds>.<host>.<pid>.edgegan` is a sequence of TFRecords:
 *   uint64 length (little-endian), uint32 masked CRC-32C of those 8 bytes, the data, uint32 masked
 *   CRC-32C of the data,
 * each data an `Event` protobuf (tensorflow/core/util/event.proto): wall_time = 1 (double),
 * step = 2 (int64), file_version = 3 (string, "brain.Event:2" in the first record), summary = 5.
 * `Summary` (tensorflow/core/framework/summary.proto): value = 1 (repeated), each with tag = 1,
 * simple_value = 2 (float, a scalar) or image = 4 (`Summary.Image`: height = 1, width = 2,
 * colorspace = 3 (1 gray, 3 RGB, 4 RGBA), encoded_image_string = 4, a PNG)).
 *
 * Records are appended with one write each; a run killed mid-write leaves at most a torn last
 * record, which TensorBoard's reader stops at (the file is a log, not an artifact).
 */
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { maskedCrc32c } from "./masked-crc.ts";
import { ProtoMessage } from "./protobuf-writer.ts";

/** Field numbers of event.proto and summary.proto. */
const EVENT = { wallTime: 1, step: 2, fileVersion: 3, summary: 5 } as const;
const SUMMARY = { value: 1 } as const;
const VALUE = { tag: 1, simpleValue: 2, image: 4 } as const;
const IMAGE = { height: 1, width: 2, colorspace: 3, encodedImageString: 4 } as const;

/** One record's framing around `data`. */
export function tfRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + 4 + data.length + 4);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}

/** A PNG for an image summary: its bytes, size and channels (1 gray, 3 RGB, 4 RGBA). */
export interface SummaryImage {
  png: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3 | 4;
}

/** Appends events to one new tfevents file in a log folder. */
export class EventFileWriter {
  readonly path: string;
  private fd: number | null;

  /** Create DIR if needed and open a new event file in it (with its file_version record). */
  constructor(
    logdir: string,
    private readonly now: () => number = () => Date.now() / 1000,
  ) {
    mkdirSync(logdir, { recursive: true });
    const started = now();
    const name = `events.out.tfevents.${Math.floor(started)}.${hostname()}.${process.pid}.edgegan`;
    this.path = join(logdir, name);
    this.fd = openSync(this.path, "a");
    this.write(
      new ProtoMessage().double(EVENT.wallTime, started).string(EVENT.fileVersion, "brain.Event:2"),
    );
  }

  /** Scalars at `step`, one Summary.Value each (tags like "loss/D"). */
  scalars(step: number, values: Record<string, number>): void {
    const summary = new ProtoMessage();
    for (const [tag, value] of Object.entries(values)) {
      summary.message(
        SUMMARY.value,
        new ProtoMessage().string(VALUE.tag, tag).float(VALUE.simpleValue, value),
      );
    }
    this.event(step, summary);
  }

  /** An image summary at `step` (TensorBoard's Images tab). */
  image(step: number, tag: string, image: SummaryImage): void {
    const encoded = new ProtoMessage()
      .int(IMAGE.height, image.height)
      .int(IMAGE.width, image.width)
      .int(IMAGE.colorspace, image.channels)
      .bytes(IMAGE.encodedImageString, image.png);
    const value = new ProtoMessage().string(VALUE.tag, tag).message(VALUE.image, encoded);
    this.event(step, new ProtoMessage().message(SUMMARY.value, value));
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private event(step: number, summary: ProtoMessage): void {
    this.write(
      new ProtoMessage()
        .double(EVENT.wallTime, this.now())
        .int(EVENT.step, step)
        .message(EVENT.summary, summary),
    );
  }

  private write(event: ProtoMessage): void {
    if (this.fd === null) throw new Error(`${this.path} is closed`);
    const record = tfRecord(event.finish());
    writeSync(this.fd, record, 0, record.length);
  }
}
