/**
 * Progress display: step, epoch, steps/s, ETA and current losses.
 *
 * On a terminal it redraws one line; in a log file (no TTY) it prints a line every
 * `logEverySeconds`, so a background run's log stays readable.
 */
export interface ProgressSnapshot {
  step: number;
  totalSteps: number;
  epoch: number;
  epochs: number;
  dLoss: number;
  gLoss: number;
  /** Time left under --max-minutes, when set: the ETA is the sooner of the two. */
  secondsLeft?: number;
}

export class ProgressReporter {
  private readonly startedAt = performance.now();
  private readonly startStep: number;
  private lastPrintAt = 0;

  constructor(
    startStep: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly logEverySeconds = 10,
  ) {
    this.startStep = startStep;
  }

  /** Steps per second since this reporter started (this process only, not earlier resumes). */
  rate(step: number): number {
    const seconds = (performance.now() - this.startedAt) / 1000;
    return seconds > 0 ? (step - this.startStep) / seconds : 0;
  }

  /** The line that describes a snapshot (exported for tests and logs). */
  format(s: ProgressSnapshot): string {
    const rate = this.rate(s.step);
    const fraction = s.totalSteps > 0 ? Math.min(1, s.step / s.totalSteps) : 0;
    const width = 24;
    const filled = Math.round(fraction * width);
    const bar = `${"#".repeat(filled)}${"-".repeat(width - filled)}`;
    const stepsEta = rate > 0 ? (s.totalSteps - s.step) / rate : Number.NaN;
    const eta = formatDuration(
      s.secondsLeft === undefined || s.secondsLeft > stepsEta ? stepsEta : s.secondsLeft,
    );
    return (
      `[${bar}] step ${s.step}/${s.totalSteps} epoch ${Math.min(s.epoch + 1, s.epochs)}/${s.epochs} ` +
      `${rate.toFixed(2)} steps/s ETA ${eta} D ${s.dLoss.toFixed(4)} G ${s.gLoss.toFixed(4)}`
    );
  }

  update(s: ProgressSnapshot): void {
    const now = performance.now();
    if (this.stream.isTTY) {
      if (now - this.lastPrintAt < 100 && s.step < s.totalSteps) return;
      this.stream.write(`\r${this.format(s)}\x1b[K`);
    } else {
      if (now - this.lastPrintAt < this.logEverySeconds * 1000 && s.step < s.totalSteps) return;
      this.stream.write(`${this.format(s)}\n`);
    }
    this.lastPrintAt = now;
  }

  /** End the redrawn line before other output. */
  newline(): void {
    if (this.stream.isTTY) this.stream.write("\n");
  }
}

/** "1h02m", "4m05s", "12s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  if (s >= 3600)
    return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${s}s`;
}
