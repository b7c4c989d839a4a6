/** A tiny run with --logdir: every scalar and the grids reach the event file, read by protobufjs. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_TRAIN_CONFIG } from "@edgegan/shared/train-config";
import { describe, expect, it } from "vitest";
import { tinyClassifier, useWasm } from "../../test/fixtures.ts";
import { readEventDir } from "../../test/read-events.ts";
import { train } from "../train.ts";

describe("train --logdir", () => {
  it("logs losses, D(x), D(G(z)), images/s, eval figures and the sample grids", async () => {
    await useWasm();
    const out = mkdtempSync(join(tmpdir(), "edgegan-tbrun-"));
    const logdir = join(out, "tb");
    const classifier = await tinyClassifier();
    await train(
      {
        ...DEFAULT_TRAIN_CONFIG,
        arch: "mlp",
        backend: "wasm",
        workers: 1,
        limitImages: 128,
        batchSize: 32,
        epochs: 2,
        metricsEvery: 2,
        checkpointMinutes: 0,
        evalEvery: 1,
        out,
        logdir,
      },
      {
        log: () => {},
        progressStream: { isTTY: false, write: () => true } as unknown as NodeJS.WriteStream,
        evaluation: { classifier, samplesPerClass: 3 },
      },
    );
    const { events } = readEventDir(logdir);
    expect(events[0]?.fileVersion).toBe("brain.Event:2");
    const scalars = new Map<string, [number, number][]>();
    const images: [number, number, number][] = [];
    for (const event of events.slice(1)) {
      for (const value of event.summary?.value ?? []) {
        if (value.image) images.push([event.step ?? 0, value.image.width, value.image.height]);
        else
          scalars.set(value.tag, [
            ...(scalars.get(value.tag) ?? []),
            [event.step ?? 0, value.simpleValue ?? Number.NaN],
          ]);
      }
    }
    // 4 steps per epoch, a metrics line every 2 steps
    for (const tag of ["loss/D", "loss/G", "D/D(x)", "D/D(G(z))", "speed/images_per_second"]) {
      expect(
        scalars.get(tag)?.map(([step]) => step),
        tag,
      ).toEqual([2, 4, 6, 8]);
    }
    for (const [, p] of [...(scalars.get("D/D(x)") ?? []), ...(scalars.get("D/D(G(z))") ?? [])]) {
      expect(p).toBeGreaterThan(0);
      expect(p).toBeLessThan(1);
    }
    expect(scalars.get("speed/images_per_second")?.every(([, v]) => v > 0)).toBe(true);
    expect(scalars.get("eval/frechet_distance")?.map(([step]) => step)).toEqual([4, 8]);
    expect(scalars.get("eval/label_accuracy")).toHaveLength(2);
    // after each epoch and at the end: 10 classes x 10 columns of 28 px tiles
    expect(images.map(([step]) => step)).toEqual([4, 8, 8]);
    expect(images[0]?.[1]).toBeGreaterThan(280);
  });
});
