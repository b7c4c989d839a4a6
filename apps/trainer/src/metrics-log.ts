/**
 * metrics.jsonl: one JSON line per N steps (mean losses over those steps, speed, time), and the
 * JSON-lines helpers the run's other logs (eval-history.jsonl) share.
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

/** Read all complete, well-formed JSON lines (a torn last line from a crash is skipped). */
export function readJsonLines<T>(path: string): T[] {
  if (!existsSync(path)) return [];
  const lines: T[] = [];
  for (const text of readFileSync(path, "utf8").split("\n")) {
    if (!text.trim()) continue;
    try {
      lines.push(JSON.parse(text) as T);
    } catch {
      // a line cut short by a kill: not a record
    }
  }
  return lines;
}

/** Keep only the lines whose `step` is at most `step` (rewritten atomically). */
export function truncateJsonLines(path: string, step: number): void {
  if (!existsSync(path)) return;
  const kept = readJsonLines<{ step: number }>(path).filter((line) => line.step <= step);
  writeFileAtomic(path, kept.map((line) => `${JSON.stringify(line)}\n`).join(""));
}

/** Append one record as a whole line. */
export function appendJsonLine(path: string, record: object): void {
  appendFileSync(path, `${JSON.stringify(record)}\n`);
}

/** The metrics lines of a run. */
export function readMetrics(path: string): MetricsLine[] {
  return readJsonLines<MetricsLine>(path);
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
    appendJsonLine(this.path, line);
    this.dSum = 0;
    this.gSum = 0;
    this.n = 0;
    return line;
  }
}
