/**
 * metrics.jsonl: one JSON line per N steps (mean losses over those steps, speed, time).
 *
 * Lines are appended whole. On resume, lines past the checkpoint's step (work that was lost
 * with the unfinished part of an epoch) are dropped, so the file always matches the weights.
 */
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { writeFileAtomic } from "./atomic-write.ts";

export interface MetricsLine {
  step: number;
  epoch: number;
  dLoss: number;
  gLoss: number;
  stepsPerSecond: number;
  wallTimeSeconds: number;
}

/** Read all complete, well-formed lines (a torn last line from a crash is skipped). */
export function readMetrics(path: string): MetricsLine[] {
  if (!existsSync(path)) return [];
  const lines: MetricsLine[] = [];
  for (const text of readFileSync(path, "utf8").split("\n")) {
    if (!text.trim()) continue;
    try {
      lines.push(JSON.parse(text) as MetricsLine);
    } catch {
      // a line cut short by a kill: not a metric
    }
  }
  return lines;
}

/** Keep only lines up to `step` (rewritten atomically). */
export function truncateMetrics(path: string, step: number): void {
  if (!existsSync(path)) return;
  const kept = readMetrics(path).filter((line) => line.step <= step);
  writeFileAtomic(path, kept.map((line) => `${JSON.stringify(line)}\n`).join(""));
}

/** Accumulates losses between lines and appends their means. */
export class MetricsLog {
  private dSum = 0;
  private gSum = 0;
  private n = 0;

  constructor(private readonly path: string) {}

  add(dLoss: number, gLoss: number): void {
    this.dSum += dLoss;
    this.gSum += gLoss;
    this.n += 1;
  }

  /** Append a line with the mean losses since the last one; returns it (or null if no steps). */
  flush(fields: Omit<MetricsLine, "dLoss" | "gLoss">): MetricsLine | null {
    if (this.n === 0) return null;
    const line: MetricsLine = { ...fields, dLoss: this.dSum / this.n, gLoss: this.gSum / this.n };
    appendFileSync(this.path, `${JSON.stringify(line)}\n`);
    this.dSum = 0;
    this.gSum = 0;
    this.n = 0;
    return line;
  }
}
