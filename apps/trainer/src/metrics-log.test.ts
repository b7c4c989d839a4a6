import { appendFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MetricsLog, readMetrics, truncateJsonLines } from "./metrics-log.ts";

describe("metrics.jsonl", () => {
  it("writes mean losses per interval, skips a torn last line, and truncates past a step", () => {
    const path = join(mkdtempSync(join(tmpdir(), "edgegan-metrics-")), "metrics.jsonl");
    const log = new MetricsLog(path);
    log.add(1, 2);
    log.add(3, 4);
    log.flush({ step: 2, epoch: 0.1, stepsPerSecond: 5, wallTimeSeconds: 1 });
    expect(log.flush({ step: 2, epoch: 0.1, stepsPerSecond: 5, wallTimeSeconds: 1 })).toBeNull();
    log.add(5, 6);
    log.flush({ step: 3, epoch: 0.2, stepsPerSecond: 5, wallTimeSeconds: 2 });
    appendFileSync(path, '{"step": 4, "dLo');
    const lines = readMetrics(path);
    expect(lines.map((l) => [l.step, l.dLoss, l.gLoss])).toEqual([
      [2, 2, 3],
      [3, 5, 6],
    ]);
    truncateJsonLines(path, 2);
    expect(readMetrics(path).map((l) => l.step)).toEqual([2]);
  });
});
