/**
 * The event files read back by readers that are not the writer: protobufjs decodes the records
 * with TensorFlow's event.proto / summary.proto field numbers (test/read-events.ts; the CRC it
 * shares with the writer is pinned by the golden value below), and when Python's tensorboard
 * package is installed, its own event loader reads the file (else that test skips).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32c } from "@edgegan/shared/crc32";
import { encodeGrayscalePng } from "@edgegan/shared/png";
import { describe, expect, it } from "vitest";
import { readEventDir, records } from "../../test/read-events.ts";
import { EventFileWriter, tfRecord } from "./event-file.ts";
import { maskedCrc32c } from "./masked-crc.ts";

function writeSampleLog(): { dir: string; png: Uint8Array } {
  const dir = mkdtempSync(join(tmpdir(), "edgegan-tb-"));
  let clock = 1_700_000_000.25;
  const writer = new EventFileWriter(dir, () => clock++);
  writer.scalars(25, { "loss/D": 1.25, "loss/G": 0.75, "D(x)": 0.6 });
  writer.scalars(2 ** 40, { "speed/images_per_second": 210.5 });
  const png = encodeGrayscalePng(
    Uint8Array.from({ length: 28 * 56 }, (_, i) => i % 256),
    28,
    56,
  );
  writer.image(50, "samples", { png, width: 28, height: 56, channels: 1 });
  writer.close();
  return { dir, png };
}

describe("maskedCrc32c", () => {
  it("rotates the CRC-32C right by 15 bits and adds TFRecord's constant", () => {
    const digits = new TextEncoder().encode("123456789");
    // 0xe3069283 rotated right by 15: 0x2507c60d; plus 0xa282ead8: 0xc78ab0e5
    expect(crc32c(digits)).toBe(0xe3069283);
    expect(maskedCrc32c(digits)).toBe(0xc78ab0e5);
  });
});

describe("EventFileWriter", () => {
  it("writes records that protobufjs decodes as TensorFlow Events: version, scalars, image", () => {
    const { dir, png } = writeSampleLog();
    const { file, events } = readEventDir(dir);
    expect(file).toMatch(/^events\.out\.tfevents\.1700000000\..+\.\d+\.edgegan$/);
    expect(events).toHaveLength(4);
    expect(events[0]).toEqual({ wallTime: 1_700_000_000.25, fileVersion: "brain.Event:2" });
    expect(events[1]).toMatchObject({ step: 25, wallTime: 1_700_000_001.25 }); // one tick per call
    expect(events[1]?.summary?.value).toEqual([
      { tag: "loss/D", simpleValue: 1.25 },
      { tag: "loss/G", simpleValue: 0.75 },
      { tag: "D(x)", simpleValue: expect.closeTo(0.6, 6) },
    ]);
    expect(events[2]?.step).toBe(2 ** 40);
    const image = events[3]?.summary?.value[0];
    expect(image?.tag).toBe("samples");
    expect(image?.image).toMatchObject({ height: 56, width: 28, colorspace: 1 });
    expect(Uint8Array.from(image?.image?.encodedImageString ?? [])).toEqual(png);
  });

  it("frames an empty record as TFRecord does", () => {
    const record = tfRecord(new Uint8Array(0));
    expect(record).toHaveLength(16);
    expect(records(record)).toEqual([new Uint8Array(0)]);
  });

  const python = (() => {
    try {
      execFileSync("python3", ["-c", "import tensorboard"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  })();
  it.skipIf(!python)(
    "is read by TensorBoard's own event loader (Python tensorboard package)",
    () => {
      const { dir } = writeSampleLog();
      const script = `
import sys, json
from tensorboard.backend.event_processing import event_accumulator as ea
acc = ea.EventAccumulator(sys.argv[1], size_guidance={ea.IMAGES: 0, ea.SCALARS: 0})
acc.Reload()
tags = acc.Tags()
print(json.dumps({"scalars": {t: [[e.step, e.value] for e in acc.Scalars(t)] for t in tags["scalars"]},
  "images": {t: [[e.step, e.width, e.height, len(e.encoded_image_string)] for e in acc.Images(t)] for t in tags["images"]}}))`;
      const out = JSON.parse(execFileSync("python3", ["-c", script, dir], { encoding: "utf8" }));
      expect(out.scalars["loss/D"]).toEqual([[25, 1.25]]);
      expect(out.scalars["speed/images_per_second"]).toEqual([[2 ** 40, 210.5]]);
      expect(out.images.samples[0].slice(0, 3)).toEqual([50, 28, 56]);
    },
  );
  if (!python) {
    it("TensorBoard's own loader: skipped (pip install tensorboard to run it)", () => {});
  }
});
