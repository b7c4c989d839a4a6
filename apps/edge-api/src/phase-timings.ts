/**
 * Per-phase durations of a request, only where they mean something. Locally (workerd under npm
 * start, the preview's bench environment) the clock runs during CPU work, so the phases of a
 * /sample answer can be timed; deployed Workers advance `Date.now()` and `performance.now()` only
 * at I/O (a Spectre mitigation), so there every CPU phase would read 0. A disabled timer records
 * nothing and yields no header: production answers carry no made-up zeros, and dashboards use
 * the CPU and wall time the platform records per invocation (README "Production timings").
 */

/** Times consecutive phases: `end("inputs")`, `end("inference")`, ... after `start()`. */
export interface PhaseTimer {
  /** Marks the start of the first phase. */
  start(): void;
  /** Ends the phase called `name` (it began at the previous mark). */
  end(name: string): void;
  /** Milliseconds of a phase (0.01 ms steps); undefined when disabled or never ended. */
  ms(name: string): number | undefined;
  /** `name;dur=ms, ...` for the Server-Timing header; null when disabled. */
  serverTiming(): string | null;
}

/** @param enabled whether the clock runs during CPU work (config.localTimings) */
export function createPhaseTimer(enabled: boolean): PhaseTimer {
  const phases = new Map<string, number>();
  let last: number | undefined;
  return {
    start() {
      if (enabled) last = performance.now();
    },
    end(name) {
      if (!enabled || last === undefined) return;
      const now = performance.now();
      phases.set(name, Math.round((now - last) * 100) / 100);
      last = now;
    },
    ms: (name) => phases.get(name),
    serverTiming() {
      if (!enabled || phases.size === 0) return null;
      return [...phases].map(([name, ms]) => `${name};dur=${ms}`).join(", ");
    },
  };
}
